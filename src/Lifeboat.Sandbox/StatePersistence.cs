using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox;

/// <summary>
/// Saves the whole store to DIR/sandbox-state.json after changes (debounced) and on stop, atomically
/// (write a temp file, then rename over the old one), and loads it at start.
/// </summary>
internal sealed class StatePersistence : IAsyncDisposable
{
    private readonly ResourceStore _store;
    private readonly string _file;
    private readonly TimeSpan _debounce;
    private readonly SemaphoreSlim _saveLock = new(1, 1);
    private readonly Lock _timerLock = new();
    private Timer? _timer;
    private bool _disposed;

    public StatePersistence(ResourceStore store, string directory, TimeSpan debounce)
    {
        _store = store;
        _debounce = debounce;
        Directory.CreateDirectory(directory);
        _file = Path.Combine(directory, "sandbox-state.json");
    }

    public bool TryLoad()
    {
        if (!File.Exists(_file)) return false;
        JsonObject state;
        try
        {
            state = JsonNode.Parse(File.ReadAllText(_file)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"sandbox state file {_file} is corrupt: {e.Message}", e);
        }
        _store.ImportState(state);
        return true;
    }

    public void Attach() => _store.Changed += ScheduleSave;

    private void ScheduleSave()
    {
        lock (_timerLock)
        {
            if (_disposed || _timer is not null) return;
            _timer = new Timer(_ => _ = SaveAsync(), null, _debounce, Timeout.InfiniteTimeSpan);
        }
    }

    public async Task SaveAsync()
    {
        lock (_timerLock)
        {
            _timer?.Dispose();
            _timer = null;
        }
        await _saveLock.WaitAsync();
        try
        {
            var temp = _file + ".tmp";
            await using (var stream = File.Create(temp))
            await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = StoredObject.JsonOptions.Encoder }))
            {
                _store.ExportState().WriteTo(writer);
            }
            File.Move(temp, _file, overwrite: true);
        }
        finally
        {
            _saveLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _store.Changed -= ScheduleSave;
        lock (_timerLock) _disposed = true;
        await SaveAsync();
    }
}
