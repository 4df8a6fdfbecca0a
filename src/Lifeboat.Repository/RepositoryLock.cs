using System.Text.Json;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository;

/// <summary>Contents of a lock file.</summary>
public sealed record LockInfo(Id Id, GoTime Time, bool Exclusive, string? Hostname, string? Username, int Pid)
{
    /// <summary>restic's rule: older than 30 minutes, or from this host with a process that no longer exists.</summary>
    public bool IsStale()
    {
        var age = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - Time.UnixSeconds;
        if (age > 30 * 60)
        {
            return true;
        }
        return Hostname == Environment.MachineName && Pid > 0 && !Directory.Exists($"/proc/{Pid}");
    }
}

/// <summary>
/// restic's lock protocol: check for conflicting locks, write ours, wait 200 ms, check again;
/// refresh every 5 minutes; remove on dispose. Shared locks exclude exclusive ones and vice versa.
/// </summary>
public sealed class RepositoryLock : IAsyncDisposable
{
    private static readonly TimeSpan RecheckDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);

    private readonly Repository _repo;
    private readonly bool _exclusive;
    private readonly Timer _refresh;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Id _current;
    private bool _released;
    private Task _confirmation = Task.CompletedTask;

    private RepositoryLock(Repository repo, bool exclusive, Id id)
    {
        _repo = repo;
        _exclusive = exclusive;
        _current = id;
        _refresh = new Timer(_ => _ = RefreshAsync(), null, RefreshInterval, RefreshInterval);
    }

    public Id Id => _current;

    public static async Task<RepositoryLock> AcquireAsync(Repository repo, bool exclusive, CancellationToken ct = default)
    {
        await CheckConflictsAsync(repo, exclusive, null, ct).ConfigureAwait(false);
        var id = await WriteAsync(repo, exclusive, ct).ConfigureAwait(false);
        try
        {
            // Part of the protocol (not synchronisation in tests): give a concurrent locker time to write its file.
            await Task.Delay(RecheckDelay, ct).ConfigureAwait(false);
            await CheckConflictsAsync(repo, exclusive, id, ct).ConfigureAwait(false);
        }
        catch
        {
            await repo.Backend.RemoveAsync(FileType.Lock, id.ToString(), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return new RepositoryLock(repo, exclusive, id);
    }

    /// <summary>
    /// For a backup: checks for conflicts and writes the lock like <see cref="AcquireAsync"/>, but returns without
    /// waiting for the recheck, which runs meanwhile; <see cref="ConfirmAsync"/> must succeed before the holder writes
    /// anything another process acts on (index, snapshot). Why that is as safe as waiting: until then the holder only
    /// adds packs, and a pruner whose own lock appeared in that window sees ours at its recheck and gives up, while one
    /// that was there first is seen by our first check. The 200 ms of the protocol overlap with reading data instead
    /// of adding to every backup.
    /// </summary>
    public static async Task<RepositoryLock> AcquireConfirmingLaterAsync(Repository repo, bool exclusive, CancellationToken ct = default)
    {
        await CheckConflictsAsync(repo, exclusive, null, ct).ConfigureAwait(false);
        var id = await WriteAsync(repo, exclusive, ct).ConfigureAwait(false);
        var taken = new RepositoryLock(repo, exclusive, id);
        taken._confirmation = taken.RecheckAsync(id, ct);
        return taken;
    }

    /// <summary>Completes when the lock is confirmed; throws (and the lock is gone) if another process holds a conflicting one.</summary>
    public Task ConfirmAsync() => _confirmation;

    private async Task RecheckAsync(Id id, CancellationToken ct)
    {
        try
        {
            await Task.Delay(RecheckDelay, ct).ConfigureAwait(false);
            await (_repo.BeforeLockRecheck?.Invoke() ?? Task.CompletedTask).ConfigureAwait(false);
            await CheckConflictsAsync(_repo, _exclusive, id, ct).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<Id> WriteAsync(Repository repo, bool exclusive, CancellationToken ct)
    {
        var w = new GoJson().BeginObject()
            .Prop("time", GoTime.Now().ToString())
            .Prop("exclusive", exclusive)
            .Prop("hostname", repo.Options.Hostname ?? Environment.MachineName)
            .Prop("username", repo.Options.Username ?? Environment.UserName)
            .Prop("pid", Environment.ProcessId);
        var uid = Posix.geteuid();
        var gid = Posix.getegid();
        if (uid != 0) w.Prop("uid", uid);
        if (gid != 0) w.Prop("gid", gid);
        return await repo.SaveUnpackedAsync(FileType.Lock, w.EndObject().ToUtf8(), ct).ConfigureAwait(false);
    }

    private static async Task CheckConflictsAsync(Repository repo, bool exclusive, Id? own, CancellationToken ct)
    {
        foreach (var l in await ListAsync(repo, ct).ConfigureAwait(false))
        {
            // A lock left by a process that was killed (or not refreshed for 30 minutes) must not block
            // everyone forever; `RemoveLocksAsync` cleans such files up.
            if ((own is { } o && l.Id == o) || l.IsStale())
            {
                continue;
            }
            if (exclusive || l.Exclusive)
            {
                var kind = l.Exclusive ? "exclusive" : "shared";
                throw new RepositoryException(
                    $"repository is already locked ({kind}) by PID {l.Pid} on {l.Hostname} by {l.Username} since {l.Time} (lock {l.Id.Short})");
            }
        }
    }

    /// <summary>All lock files that can be read (unreadable ones are ignored, as restic does).</summary>
    public static async Task<IReadOnlyList<LockInfo>> ListAsync(Repository repo, CancellationToken ct = default)
    {
        var result = new List<LockInfo>();
        await foreach (var f in repo.Backend.ListAsync(FileType.Lock, ct).ConfigureAwait(false))
        {
            try
            {
                var id = Id.Parse(f.Name);
                var json = await repo.LoadUnpackedAsync(FileType.Lock, id, ct).ConfigureAwait(false);
                using var doc = JsonDocument.Parse(json);
                var r = doc.RootElement;
                string? S(string n) => r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                result.Add(new LockInfo(id, GoTime.Parse(S("time") ?? ""), r.TryGetProperty("exclusive", out var ex) && ex.GetBoolean(),
                    S("hostname"), S("username"), r.TryGetProperty("pid", out var pid) ? pid.GetInt32() : 0));
            }
            catch (Exception e) when (e is RepositoryException or JsonException or FormatException or InvalidOperationException)
            {
            }
        }
        return result;
    }

    /// <summary>Like `restic unlock` (stale locks only) or `restic unlock --remove-all`.</summary>
    public static async Task<int> RemoveLocksAsync(Repository repo, bool all, CancellationToken ct = default)
    {
        var removed = 0;
        foreach (var l in await ListAsync(repo, ct).ConfigureAwait(false))
        {
            if (all || l.IsStale())
            {
                await repo.Backend.RemoveAsync(FileType.Lock, l.Id.ToString(), ct).ConfigureAwait(false);
                removed++;
            }
        }
        return removed;
    }

    private async Task RefreshAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_released)
            {
                return;
            }
            var fresh = await WriteAsync(_repo, _exclusive, CancellationToken.None).ConfigureAwait(false);
            var old = _current;
            _current = fresh;
            await _repo.Backend.RemoveAsync(FileType.Lock, old.ToString(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A failed refresh leaves the old lock in place; the next tick tries again.
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _confirmation.ConfigureAwait(false); // a recheck still running must not outlive the lock
        }
        catch (Exception)
        {
            // Reported by ConfirmAsync to whoever asked; the lock file is already gone.
        }
        await ReleaseAsync().ConfigureAwait(false);
    }

    private async Task ReleaseAsync()
    {
        await _refresh.DisposeAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_released)
            {
                _released = true;
                await _repo.Backend.RemoveAsync(FileType.Lock, _current.ToString(), CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
