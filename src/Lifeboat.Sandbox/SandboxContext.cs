using Lifeboat.Sandbox.Controls;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox;

/// <summary>What a simulated controller gets: the store, the type registry, subresource hooks and a stop signal.</summary>
public sealed class SandboxContext
{
    internal SandboxContext(ResourceStore store, SubresourceHandlerRegistry subresources, SandboxControls controls, CancellationToken stopping)
    {
        Store = store;
        Subresources = subresources;
        Controls = controls;
        Stopping = stopping;
    }

    public ResourceStore Store { get; }
    public ResourceTypeRegistry Types => Store.Types;
    public SubresourceHandlerRegistry Subresources { get; }
    public SandboxControls Controls { get; }
    /// <summary>Cancelled when the sandbox stops; controllers end their loops on it.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Shorthand for <see cref="SubresourceHandlerRegistry.Register"/>.</summary>
    public void RegisterSubresourceHandler(string group, string resource, string subresource, SubresourceHandler handler) =>
        Subresources.Register(group, resource, subresource, handler);
}

/// <summary>
/// A simulated controller (KubeVirt, CDI, CSI ...). <see cref="Start"/> is called once after the store and built-in
/// types are ready and before the HTTP server accepts requests; subscribe to the store there and return quickly.
/// Dispose (if implemented) is called on stop.
/// </summary>
public interface ISandboxController
{
    void Start(SandboxContext context);
}
