namespace Lifeboat.Cli.Tests;

public sealed class BasicCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Version_prints_in_every_format()
    {
        var table = await _cli.RunAsync("version");
        Assert.Equal(0, table.ExitCode);
        Assert.Matches(@"^COMPONENT\s+VERSION\nlifeboat\s+\d+\.\d+\.\d+", table.Out);
        Assert.Contains("\"version\":", (await _cli.RunAsync("version", "-o", "json")).Out);
        Assert.Contains("version: ", (await _cli.RunAsync("version", "-o", "yaml")).Out);
    }

    [Fact]
    public async Task Unknown_commands_and_formats_are_usage_errors()
    {
        var result = await _cli.RunAsync("frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("frobnicate", result.Error);

        var format = await _cli.RunAsync("version", "-o", "xml");
        Assert.Equal(2, format.ExitCode);
        Assert.Contains("--output: unknown format \"xml\"", format.Error);
    }

    [Fact]
    public async Task A_missing_kubeconfig_is_one_line_naming_the_file_without_a_stack_trace()
    {
        var path = Path.Combine(_cli.Home, "nope.yaml");
        var result = await _cli.RunAsync("cluster", "info", "--kubeconfig", path);
        Assert.Equal(1, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(path, lines[0]);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace()
    {
        var result = await _cli.RunAsync("cluster", "info", "--kubeconfig", Path.Combine(_cli.Home, "nope.yaml"), "--verbose");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("   at ", result.Error);
    }

    [Fact]
    public async Task A_malformed_kubeconfig_names_the_file()
    {
        var path = Path.Combine(_cli.Home, "broken.yaml");
        await File.WriteAllTextAsync(path, "clusters: [ {name: x, cluster: {server: ");
        var result = await _cli.RunAsync("cluster", "info", "--kubeconfig", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(path, result.Error);
    }

    [Fact]
    public async Task An_unknown_context_is_named()
    {
        var path = Path.Combine(_cli.Home, "config.yaml");
        await File.WriteAllTextAsync(path, """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: secret-token-value}}]
            contexts: [{name: ctx, context: {cluster: c, user: u}}]
            current-context: ctx
            """);
        var result = await _cli.RunAsync("cluster", "info", "--kubeconfig", path, "--context", "elsewhere");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("\"elsewhere\"", result.Error);
        Assert.DoesNotContain("secret-token-value", result.Error);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_and_keeps_the_token_secret()
    {
        var path = Path.Combine(_cli.Home, "config.yaml");
        await File.WriteAllTextAsync(path, """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
            users: [{name: u, user: {token: secret-token-value}}]
            contexts: [{name: ctx, context: {cluster: c, user: u}}]
            current-context: ctx
            """);
        var result = await _cli.RunAsync("cluster", "info", "--kubeconfig", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("127.0.0.1:9", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("secret-token-value", result.Error + result.Out);
    }

    [Fact]
    public async Task A_negative_client_rate_limit_is_a_usage_error()
    {
        var path = Path.Combine(_cli.Home, "config.yaml");
        await File.WriteAllTextAsync(path, """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: ctx, context: {cluster: c, user: u}}]
            current-context: ctx
            """);
        var result = await _cli.RunAsync("cluster", "info", "--kubeconfig", path, "--client-qps", "-1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--client-qps", result.Error);
    }
}
