namespace Lifeboat.Sandbox.KubeVirt.Cdi;

/// <summary>Finishes simulated uploads: an upload DataVolume in UploadReady goes Succeeded once completed here.</summary>
public sealed class UploadControl
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _completed = [];
    private Action<string>? _wake;

    /// <summary>Marks the upload into DataVolume <paramref name="ns"/>/<paramref name="name"/> as done; optional bytes are written at offset 0.</summary>
    public void Complete(string ns, string name, byte[]? data = null)
    {
        lock (_lock)
        {
            _completed.Add(ns + "/" + name);
            if (data is not null) _data[ns + "/" + name] = data;
        }
        _wake?.Invoke(ns + "/" + name);
    }

    private readonly Dictionary<string, byte[]> _data = [];

    internal byte[]? DataFor(string key)
    {
        lock (_lock) return _data.GetValueOrDefault(key);
    }

    internal bool IsCompleted(string key)
    {
        lock (_lock) return _completed.Contains(key);
    }

    internal void OnComplete(Action<string> wake) => _wake = wake;
}
