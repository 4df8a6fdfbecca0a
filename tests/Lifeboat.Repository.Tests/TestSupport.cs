using System.Diagnostics;
using Lifeboat.Repository.Backend;

namespace Lifeboat.Repository.Tests;

/// <summary>A temporary directory removed (including read-only repository files) on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("lifeboat-repo-test-").FullName;
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Runs the real restic binary against a repository (the compatibility judge).</summary>
public sealed class ResticCli
{
    public const string Password = "correct horse battery staple";

    private readonly string _repo;
    private readonly string _passwordFile;

    public ResticCli(string repo, string workDir)
    {
        _repo = repo;
        _passwordFile = System.IO.Path.Combine(workDir, "restic-password");
        File.WriteAllText(_passwordFile, Password);
    }

    public static bool Available => File.Exists("/usr/bin/restic");

    public (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/restic")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-r");
        psi.ArgumentList.Add(_repo);
        psi.ArgumentList.Add("--no-cache");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["RESTIC_PASSWORD_FILE"] = _passwordFile;
        psi.Environment.Remove("RESTIC_PASSWORD");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"restic {string.Join(' ', args)} timed out");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public string RunOk(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.True(code == 0, $"restic {string.Join(' ', args)} failed ({code}):\n{stdout}\n{stderr}");
        return stdout;
    }
}

public static class TestRepos
{
    /// <summary>Cheap scrypt parameters so tests run quickly (restic accepts any valid power of two).</summary>
    public static readonly InitOptions FastInit = new() { Scrypt = new ScryptParameters(1024, 8, 1) };

    public static Task<Repository> InitAsync(string path, int version = 2) =>
        Repository.InitAsync(new LocalBackend(path), ResticCli.Password, FastInit with { Version = version });
}
