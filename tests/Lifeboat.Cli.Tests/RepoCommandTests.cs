using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeboat.Cli.Tests;

public sealed class RepoCommandTests : IDisposable
{
    private const string Password = "cli test password 7";
    private readonly CliRunner _cli = new();

    public RepoCommandTests()
    {
        Directory.CreateDirectory(Source);
        File.WriteAllBytes(Path.Combine(Source, "disk.img"), RandomNumberGenerator.GetBytes(400_000));
        Directory.CreateDirectory(Path.Combine(Source, "etc"));
        File.WriteAllText(Path.Combine(Source, "etc", "vm.yaml"), "kind: VirtualMachine\n");
        _cli.Environment["LIFEBOAT_REPO"] = RepoPath;
        _cli.Environment["LIFEBOAT_REPO_PASSWORD"] = Password;
    }

    private string RepoPath => Path.Combine(_cli.Home, "repo");

    private string Source => Path.Combine(_cli.Home, "src");

    public void Dispose() => _cli.Dispose();

    private async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"lifeboat {string.Join(' ', args)}: {result}");
        return result;
    }

    private async Task<JsonNode> JsonAsync(params string[] args) => JsonNode.Parse((await OkAsync([.. args, "-o", "json"])).Out)!;

    private static void AssertOneErrorLine(CliResult result, int exitCode, string contains)
    {
        Assert.Equal(exitCode, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(contains, line);
        Assert.DoesNotContain(Password, result.Error + result.Out);
    }

    [Fact]
    public async Task Init_backup_snapshots_ls_restore_round_trip_and_restic_reads_it()
    {
        var init = await OkAsync("repo", "init");
        Assert.Contains($"created repository", init.Out);
        Assert.DoesNotContain(Password, init.Out + init.Error);

        var backup = await JsonAsync("repo", "backup", Source, "--tag", "nightly,vm", "--host", "node-1");
        var snapshotId = backup["snapshot"]!.GetValue<string>();
        Assert.Equal(2, backup["files_new"]!.GetValue<long>());

        var second = await JsonAsync("repo", "backup", Source, "--host", "node-1");
        Assert.Equal(snapshotId, second["parent"]!.GetValue<string>());
        Assert.Equal(0, second["bytes_added"]!.GetValue<long>());

        var list = (await JsonAsync("repo", "snapshots", "--tag", "vm")).AsArray();
        Assert.Equal(snapshotId, Assert.Single(list)!["id"]!.GetValue<string>());
        var table = await OkAsync("repo", "snapshots");
        Assert.Matches(@"^ID\s+TIME\s+HOST\s+TAGS\s+PATHS\n", table.Out);
        Assert.Contains(snapshotId[..8], table.Out);

        var ls = await OkAsync("repo", "ls", snapshotId[..10]);
        Assert.Contains(Path.Combine(Source, "etc", "vm.yaml") + "\n", ls.Out);

        var target = Path.Combine(_cli.Home, "restored");
        var restore = await JsonAsync("repo", "restore", "latest", "--target", target, "--verify");
        Assert.Equal(2, restore["verified_files"]!.GetValue<long>());
        var restored = Path.Combine(target, Source.TrimStart('/'));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Source, "disk.img")), File.ReadAllBytes(Path.Combine(restored, "disk.img")));

        var include = Path.Combine(_cli.Home, "only-etc");
        await OkAsync("repo", "restore", snapshotId, "--target", include, "--include", Path.Combine(Source, "etc"));
        Assert.True(File.Exists(Path.Combine(include, Source.TrimStart('/'), "etc", "vm.yaml")));
        Assert.False(File.Exists(Path.Combine(include, Source.TrimStart('/'), "disk.img")));

        var restic = Restic("snapshots", "--json");
        Assert.Equal(2, JsonNode.Parse(restic)!.AsArray().Count);
    }

    [Fact]
    public async Task Backup_from_stdin_stores_one_named_file()
    {
        await OkAsync("repo", "init");
        var data = RandomNumberGenerator.GetBytes(200_000);
        var (code, stdout, stderr) = RunProcess(data, "repo", "backup", "--stdin", "--stdin-filename", "vm-disk.raw", "-o", "json");
        Assert.True(code == 0, stderr);
        var id = JsonNode.Parse(stdout)!["snapshot"]!.GetValue<string>();
        var ls = await OkAsync("repo", "ls", id);
        Assert.EndsWith("/vm-disk.raw\n", ls.Out);
        await OkAsync("repo", "restore", id, "--target", Path.Combine(_cli.Home, "out"));
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(_cli.Home, "out", "vm-disk.raw")));
    }

    [Fact]
    public async Task Forget_with_prune_keeps_the_policy_and_frees_space()
    {
        await OkAsync("repo", "init");
        await OkAsync("repo", "backup", Source);
        File.WriteAllBytes(Path.Combine(Source, "disk.img"), RandomNumberGenerator.GetBytes(300_000));
        await OkAsync("repo", "backup", Source);
        var dry = await JsonAsync("repo", "forget", "--keep-last", "1", "--dry-run");
        Assert.Single(dry["groups"]![0]!["remove"]!.AsArray());
        Assert.Equal(2, (await JsonAsync("repo", "snapshots")).AsArray().Count);

        var forget = await JsonAsync("repo", "forget", "--keep-last", "1", "--prune");
        Assert.Single(forget["groups"]![0]!["keep"]!.AsArray());
        Assert.True(forget["prune"]!["blobs_removed"]!.GetValue<long>() >= 1);
        Assert.Single((await JsonAsync("repo", "snapshots")).AsArray());
        var check = await JsonAsync("repo", "check", "--read-data");
        Assert.True(check["ok"]!.GetValue<bool>());
        Restic("check", "--read-data");

        var prune = await OkAsync("repo", "prune", "--max-unused", "0%");
        Assert.Contains("0 unused blobs removed", prune.Out);
        var bad = await _cli.RunAsync("repo", "prune", "--max-unused", "lots");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("invalid --max-unused 'lots'", bad.Error);
    }

    [Fact]
    public async Task Check_names_the_damaged_pack_and_the_snapshots_it_affects()
    {
        await OkAsync("repo", "init");
        var first = (await JsonAsync("repo", "backup", Source))["snapshot"]!.GetValue<string>();
        File.WriteAllText(Path.Combine(_cli.Home, "other.txt"), "unrelated");
        var other = (await JsonAsync("repo", "backup", Path.Combine(_cli.Home, "other.txt")))["snapshot"]!.GetValue<string>();
        Assert.Equal(0, (await _cli.RunAsync("repo", "check")).ExitCode);

        var biggest = Directory.GetFiles(Path.Combine(RepoPath, "data"), "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First();
        MakeWritable(biggest);
        var bytes = File.ReadAllBytes(biggest);
        bytes[1000] ^= 0x40;
        File.WriteAllBytes(biggest, bytes);

        var result = await _cli.RunAsync("repo", "check", "--read-data");
        Assert.Equal(1, result.ExitCode);
        var pack = Path.GetFileName(biggest)[..8];
        Assert.Contains($"error: pack {pack}", result.Out);
        Assert.Contains($"affected snapshots (cannot be fully restored): {first[..8]}", result.Out);
        Assert.DoesNotContain(other[..8], result.Out.Split("affected snapshots")[1]);

        var json = JsonNode.Parse((await _cli.RunAsync("repo", "check", "--read-data-subset", "1/1", "-o", "json")).Out)!;
        Assert.Equal([first], json["affected_snapshots"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(2, (await _cli.RunAsync("repo", "check", "--read-data-subset", "3/2")).ExitCode);
    }

    [Fact]
    public async Task Cat_and_stats_show_decrypted_objects_and_dedup()
    {
        await OkAsync("repo", "init");
        await OkAsync("repo", "backup", Source);
        await OkAsync("repo", "backup", Source);
        var config = await JsonAsync("repo", "cat", "config");
        Assert.Equal(2, config["version"]!.GetValue<int>());
        var snapshot = await JsonAsync("repo", "cat", "snapshot", "latest");
        var tree = snapshot["tree"]!.GetValue<string>();
        var treeJson = await JsonAsync("repo", "cat", "tree", tree);
        Assert.NotEmpty(treeJson["nodes"]!.AsArray());
        var stats = await JsonAsync("repo", "stats");
        Assert.Equal(2, stats["snapshots"]!.GetValue<int>());
        Assert.InRange(stats["dedup_ratio"]!.GetValue<double>(), 1.9, 2.1);
        Assert.Equal(4, stats["files"]!.GetValue<long>());
        Assert.Equal(2, (await _cli.RunAsync("repo", "cat", "masterkey")).ExitCode);
    }

    [Fact]
    public async Task Keys_can_be_added_listed_changed_and_removed()
    {
        await OkAsync("repo", "init");
        var newPassword = Path.Combine(_cli.Home, "new-password");
        File.WriteAllText(newPassword, "second password\n");
        var added = (await JsonAsync("repo", "key", "add", "--new-password-file", newPassword))["id"]!.GetValue<string>();
        var keys = (await JsonAsync("repo", "key", "list")).AsArray();
        Assert.Equal(2, keys.Count);

        _cli.Environment.Remove("LIFEBOAT_REPO_PASSWORD");
        await OkAsync("repo", "snapshots", "--password-file", newPassword);
        var original = keys.Single(k => k!["current"]!.GetValue<bool>())!["id"]!.GetValue<string>();
        await OkAsync("repo", "key", "remove", original[..12], "--password-file", newPassword);
        AssertOneErrorLine(await _cli.RunAsync("repo", "key", "remove", added, "--password-file", newPassword), 1, "currently in use");

        var third = Path.Combine(_cli.Home, "third");
        File.WriteAllText(third, "third password");
        await OkAsync("repo", "key", "passwd", "--new-password-file", third, "--password-file", newPassword);
        AssertOneErrorLine(await _cli.RunAsync("repo", "snapshots", "--password-file", newPassword), 1, "wrong password");
        await OkAsync("repo", "snapshots", "--password-file", third);
    }

    [Fact]
    public async Task Bad_input_is_one_line_naming_the_object()
    {
        AssertOneErrorLine(await _cli.RunAsync("repo", "snapshots"), 1, $"repository {RepoPath} does not exist");
        await OkAsync("repo", "init");

        _cli.Environment["LIFEBOAT_REPO_PASSWORD"] = "not the password";
        AssertOneErrorLine(await _cli.RunAsync("repo", "snapshots"), 1, $"wrong password or no key found for repository {RepoPath}");
        Assert.DoesNotContain("not the password", (await _cli.RunAsync("repo", "snapshots")).Error);

        _cli.Environment.Remove("LIFEBOAT_REPO_PASSWORD");
        AssertOneErrorLine(await _cli.RunAsync("repo", "snapshots"), 2, "--password-file");
        var missing = Path.Combine(_cli.Home, "nope");
        AssertOneErrorLine(await _cli.RunAsync("repo", "snapshots", "--password-file", missing), 2, missing);
        _cli.Environment["LIFEBOAT_REPO_PASSWORD"] = Password;

        var key = Directory.GetFiles(Path.Combine(RepoPath, "keys")).Single();
        MakeWritable(key);
        File.WriteAllText(key, "{ not json");
        AssertOneErrorLine(await _cli.RunAsync("repo", "snapshots"), 1, $"key {Path.GetFileName(key)[..8]}");

        _cli.Environment.Remove("LIFEBOAT_REPO");
        AssertOneErrorLine(await _cli.RunAsync("repo", "snapshots"), 2, "--repo");
        AssertOneErrorLine(await _cli.RunAsync("repo", "forget", "--repo", RepoPath), 2, "no retention policy");
        AssertOneErrorLine(await _cli.RunAsync("repo", "forget", "--repo", RepoPath, "--keep-within", "3w"), 2, "'3w'");
        AssertOneErrorLine(await _cli.RunAsync("repo", "backup", "--repo", RepoPath), 2, "nothing to back up");
    }

    /// <summary>Repository files are read-only (0400), like restic's.</summary>
    private static void MakeWritable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private string Restic(params string[] args)
    {
        var passwordFile = Path.Combine(_cli.Home, "restic-password");
        File.WriteAllText(passwordFile, Password);
        var psi = new ProcessStartInfo("/usr/bin/restic") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-r", RepoPath, "--no-cache" }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["RESTIC_PASSWORD_FILE"] = passwordFile;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "restic timed out");
        Assert.True(p.ExitCode == 0, $"restic {string.Join(' ', args)}: {stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Runs the real lifeboat executable with <paramref name="stdin"/> piped in (for --stdin).</summary>
    private (int Code, string Stdout, string Stderr) RunProcess(byte[] stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lifeboat.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in _cli.Environment)
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "lifeboat timed out");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
