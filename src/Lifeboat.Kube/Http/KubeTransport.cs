using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Lifeboat.Kube.Auth;

namespace Lifeboat.Kube.Http;

/// <summary>One API call as the transport sees it.</summary>
internal sealed record KubeRequest(HttpMethod Method, string PathAndQuery, string Verb, string ResourceKey, Func<HttpContent?>? Content = null)
{
    public string Path => PathAndQuery.Split('?')[0];
}

/// <summary>A complete, successful response.</summary>
internal sealed record KubeResponse(HttpStatusCode StatusCode, string Body);

/// <summary>
/// Sends requests to the API server: rate limit, credentials (re-fetched after a 401), TLS, retries with backoff
/// within a budget, request statistics, and Status → exception mapping.
/// </summary>
internal sealed class KubeTransport : IDisposable
{
    private readonly ClusterConnectionSettings _settings;
    private readonly KubeClientOptions _options;
    private readonly HttpMessageHandler? _injectedHandler;
    private readonly TokenBucketRateLimiter _limiter;
    private readonly ServerCertificateValidator _validator;
    private readonly Lock _invokerLock = new();
    private readonly List<HttpMessageInvoker> _retired = [];
    private HttpMessageInvoker? _invoker;
    private X509Certificate2? _invokerCertificate;

    public KubeTransport(ClusterConnectionSettings settings, KubeClientOptions options, HttpMessageHandler? handler)
    {
        _settings = settings;
        _options = options;
        _injectedHandler = handler;
        _limiter = new TokenBucketRateLimiter(options.Qps, options.Burst, options.Clock);
        _validator = new ServerCertificateValidator(settings.Tls, settings.Server.Host);
    }

    public KubeRequestStats Stats { get; } = new();
    public Uri Server => _settings.Server;

    public async Task<KubeResponse> SendAsync(KubeRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(request, streaming: false, cancellationToken).ConfigureAwait(false);
        using var timeout = CreateTimeout(cancellationToken);
        try
        {
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return new KubeResponse(response.StatusCode, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubeConnectionException(Server, $"{request.Verb} {request.Path}: no complete response within {_options.RequestTimeout.TotalSeconds:0}s");
        }
        catch (HttpRequestException e)
        {
            throw new KubeConnectionException(Server, $"{request.Verb} {request.Path}: response broken off ({e.Message})", e);
        }
    }

    /// <summary>For watches: returns once headers arrived; the caller owns (and disposes) the response.</summary>
    public Task<HttpResponseMessage> SendStreamingAsync(KubeRequest request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, streaming: true, cancellationToken);

    private async Task<HttpResponseMessage> SendCoreAsync(KubeRequest request, bool streaming, CancellationToken cancellationToken)
    {
        var clock = _options.Clock;
        var policy = _options.Retry;
        var started = clock.UtcNow;
        var attempt = 0;
        var reauthenticated = false;
        var idempotent = request.Method != HttpMethod.Post;
        while (true)
        {
            attempt++;
            var before = clock.UtcNow;
            await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
            Stats.RecordThrottle(clock.UtcNow - before);
            var credential = await _settings.Credentials.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
            var clientCertificate = credential.ClientCertificate ?? _settings.Tls.ClientCertificate;
            var invoker = GetInvoker(clientCertificate);

            using var message = new HttpRequestMessage(request.Method, new Uri(Server, request.PathAndQuery));
            message.Content = request.Content?.Invoke();
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            message.Headers.UserAgent.ParseAdd(_options.UserAgent);
            if (_settings.Tls.TlsServerName is { Length: > 0 } serverName && _injectedHandler is null && Server.Scheme == "https")
            {
                // SocketsHttpHandler takes the TLS SNI name from the Host header: this is how tls-server-name reaches the wire.
                message.Headers.Host = serverName;
            }

            if (credential.Authorization is not null)
            {
                message.Headers.Authorization = credential.Authorization;
            }

            Stats.Record(request.Verb, request.ResourceKey, attempt > 1);
            HttpResponseMessage response;
            using (var timeout = CreateTimeout(cancellationToken))
            {
                try
                {
                    response = await invoker.SendAsync(message, timeout.Token).ConfigureAwait(false);
                    if (!streaming && response.IsSuccessStatusCode)
                    {
                        await response.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new KubeConnectionException(Server, $"{request.Verb} {request.Path}: no response within {_options.RequestTimeout.TotalSeconds:0}s");
                }
                catch (HttpRequestException e)
                {
                    if (IsTlsFailure(e))
                    {
                        var why = _validator.LastFailure
                            ?? Innermost(e) + (clientCertificate is null ? "" : $"; the server may have rejected client certificate {clientCertificate.Subject}");
                        throw new KubeConnectionException(Server, $"TLS handshake failed: {why}", e);
                    }

                    // A request that never left (connect failed) is safe to repeat even for POST.
                    var neverSent = e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ProxyTunnelError;
                    var delay = policy.Backoff(attempt, Random.Shared);
                    if ((idempotent || neverSent) && CanRetry(attempt, started, delay))
                    {
                        await clock.DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    var tries = attempt == 1 ? "" : $" (gave up after {attempt} attempts)";
                    // With TLS 1.3 a server that refuses the client certificate just closes the connection after the handshake.
                    var hint = clientCertificate is not null && e.HttpRequestError == HttpRequestError.ResponseEnded
                        ? $"; the server may have rejected client certificate {clientCertificate.Subject}" : "";
                    throw new KubeConnectionException(Server, $"{request.Verb} {request.Path}: {Innermost(e)}{hint}{tries}", e);
                }
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
                var status = response.StatusCode;
                if (status == HttpStatusCode.Unauthorized && !reauthenticated && _settings.Credentials.Invalidate(credential))
                {
                    reauthenticated = true;
                    continue;
                }

                var retryable = status == HttpStatusCode.TooManyRequests
                    || (idempotent && (int)status >= 500 && status != HttpStatusCode.NotImplemented && status != HttpStatusCode.HttpVersionNotSupported);
                if (retryable)
                {
                    var delay = RetryAfter(response) ?? policy.Backoff(attempt, Random.Shared);
                    if (CanRetry(attempt, started, delay))
                    {
                        await clock.DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                throw StatusErrors.FromResponse(status, body, request.Verb, request.Path);
            }
        }
    }

    /// <summary>
    /// Opens a WebSocket (pods/exec) through the same connection handler as every other call, so TLS checks,
    /// client certificates, rate limit, statistics and credential refresh after a 401 are shared. Not retried:
    /// the server may already have started the command. A refused upgrade becomes the matching typed exception.
    /// </summary>
    public async Task<WebSocket> ConnectWebSocketAsync(KubeRequest request, IReadOnlyList<string> subprotocols, CancellationToken cancellationToken)
    {
        var reauthenticated = false;
        var builder = new UriBuilder(new Uri(Server, request.PathAndQuery));
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        while (true)
        {
            await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
            var credential = await _settings.Credentials.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
            var clientCertificate = credential.ClientCertificate ?? _settings.Tls.ClientCertificate;
            var invoker = GetInvoker(clientCertificate);
            var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            foreach (var protocol in subprotocols)
            {
                socket.Options.AddSubProtocol(protocol);
            }

            socket.Options.SetRequestHeader("User-Agent", _options.UserAgent);
            if (_settings.Tls.TlsServerName is { Length: > 0 } serverName && _injectedHandler is null && Server.Scheme == "https")
            {
                // As for plain requests: the socket handler takes the TLS SNI name from the Host header.
                socket.Options.SetRequestHeader("Host", serverName);
            }

            if (credential.Authorization is not null)
            {
                socket.Options.SetRequestHeader("Authorization", credential.Authorization.ToString());
            }

            Stats.Record(request.Verb, request.ResourceKey, reauthenticated);
            using var timeout = CreateTimeout(cancellationToken);
            try
            {
                await socket.ConnectAsync(builder.Uri, invoker, timeout.Token).ConfigureAwait(false);
                return socket;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new KubeConnectionException(Server, $"{request.Verb} {request.Path}: no WebSocket upgrade within {_options.RequestTimeout.TotalSeconds:0}s");
            }
            catch (WebSocketException e)
            {
                var status = socket.HttpStatusCode;
                socket.Dispose();
                if (status == HttpStatusCode.Unauthorized && !reauthenticated && _settings.Credentials.Invalidate(credential))
                {
                    reauthenticated = true;
                    continue;
                }

                if (status != 0)
                {
                    throw StatusErrors.FromResponse(status, null, request.Verb, request.Path);
                }

                if (e.InnerException is HttpRequestException inner && IsTlsFailure(inner))
                {
                    throw new KubeConnectionException(Server, $"TLS handshake failed: {_validator.LastFailure ?? Innermost(inner)}", e);
                }

                throw new KubeConnectionException(Server, $"{request.Verb} {request.Path}: WebSocket upgrade failed: {Innermost(e)}", e);
            }
        }
    }

    private bool CanRetry(int attempt, DateTimeOffset started, TimeSpan delay)
    {
        var policy = _options.Retry;
        return attempt < policy.MaxAttempts && _options.Clock.UtcNow - started + delay <= policy.MaxTotalTime;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _options.Clock.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    private CancellationTokenSource CreateTimeout(CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.RequestTimeout > TimeSpan.Zero && _options.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            cts.CancelAfter(_options.RequestTimeout);
        }

        return cts;
    }

    private static bool IsTlsFailure(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.SecureConnectionError || e.InnerException is AuthenticationException;

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message.Split('\n')[0].Trim();
    }

    private HttpMessageInvoker GetInvoker(X509Certificate2? clientCertificate)
    {
        lock (_invokerLock)
        {
            if (_invoker is not null && (_injectedHandler is not null || ReferenceEquals(clientCertificate, _invokerCertificate)))
            {
                return _invoker;
            }

            if (_invoker is not null)
            {
                // An exec plugin handed out a new client certificate: pooled connections carry the old one.
                _retired.Add(_invoker);
            }

            _invoker = _injectedHandler is not null
                ? new HttpMessageInvoker(_injectedHandler, disposeHandler: false)
                : new HttpMessageInvoker(CreateHandler(clientCertificate), disposeHandler: true);
            _invokerCertificate = clientCertificate;
            return _invoker;
        }
    }

    private SocketsHttpHandler CreateHandler(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = _options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.GZip,
            UseProxy = false,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = _validator.Validate;
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
        }

        return handler;
    }

    public void Dispose()
    {
        lock (_invokerLock)
        {
            _invoker?.Dispose();
            foreach (var old in _retired)
            {
                old.Dispose();
            }

            _retired.Clear();
            _invoker = null;
        }
    }
}
