using System.Diagnostics;

namespace Lifeboat.Sandbox.Tests;

/// <summary>Runs the real /usr/bin/kubectl against a sandbox kubeconfig.</summary>
internal static class Kubectl
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public Result EnsureSuccess()
        {
            if (ExitCode != 0) throw new InvalidOperationException($"kubectl exited {ExitCode}: {Stderr}{Stdout}");
            return this;
        }
    }

    public static async Task<Result> Run(string kubeconfig, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(kubeconfig);
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(kubeconfig)!, "kube-cache"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start kubectl");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in 90 s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
