namespace Lifeboat.Kube.Auth;

/// <summary>A bearer token read from a file and re-read periodically (projected service-account tokens rotate).</summary>
public sealed class TokenFileCredentialProvider : ICredentialProvider
{
    private readonly string _path;
    private readonly TimeSpan _rereadInterval;
    private readonly KubeClock _clock;
    private readonly Lock _lock = new();
    private KubeCredential? _cached;
    private DateTimeOffset _readAt;

    public TokenFileCredentialProvider(string path, TimeSpan? rereadInterval = null, KubeClock? clock = null)
    {
        _path = path;
        _rereadInterval = rereadInterval ?? TimeSpan.FromMinutes(1);
        _clock = clock ?? KubeClock.System;
    }

    public ValueTask<KubeCredential> GetCredentialAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = _clock.UtcNow;
            if (_cached is null || now - _readAt >= _rereadInterval)
            {
                _cached = KubeCredential.Bearer(ReadToken());
                _readAt = now;
            }

            return ValueTask.FromResult(_cached);
        }
    }

    public bool Invalidate(KubeCredential rejected)
    {
        lock (_lock)
        {
            // The file may have been rotated since we read it: read again on the retry.
            _cached = null;
            return true;
        }
    }

    public string Describe() => $"token file {_path}";

    public override string ToString() => Describe();

    private string ReadToken()
    {
        try
        {
            var token = File.ReadAllText(_path).Trim();
            if (token.Length == 0)
            {
                throw new KubeCredentialException($"token file {_path} is empty");
            }

            return token;
        }
        catch (IOException e)
        {
            throw new KubeCredentialException($"token file {_path}: cannot read: {e.GetType().Name}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KubeCredentialException($"token file {_path}: permission denied", e);
        }
    }
}
