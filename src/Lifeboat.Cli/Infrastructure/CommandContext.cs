using System.CommandLine;
using Lifeboat.Cli.Output;
using Lifeboat.Core.Storage;
using Lifeboat.Kube;

namespace Lifeboat.Cli;

/// <summary>What every command needs from the parsed command line: output, verbosity, cluster access and locations.</summary>
internal sealed class CommandContext(ParseResult parseResult, CliConsole console)
{
    public CliConsole Console { get; } = console;

    public ParseResult Parse { get; } = parseResult;

    public OutputWriter Output { get; } = new(console, parseResult.GetValue(GlobalOptions.Output));

    public bool Verbose => Parse.GetValue(GlobalOptions.Verbose);

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>A client for the cluster chosen by --kubeconfig/--context (or KUBECONFIG, or in-cluster).</summary>
    public KubeClient CreateKubeClient()
    {
        var settings = KubeConfigLoader.Load(Parse.GetValue(GlobalOptions.Kubeconfig), Parse.GetValue(GlobalOptions.Context), Console.Environment);
        var qps = Parse.GetValue(GlobalOptions.ClientQps);
        var burst = Parse.GetValue(GlobalOptions.ClientBurst);
        if (qps < 0 || burst < 0)
        {
            throw new UsageException("--client-qps and --client-burst must not be negative");
        }

        return new KubeClient(settings, new KubeClientOptions { Qps = qps, Burst = burst });
    }

    public LocationConfig LoadLocations() => LocationConfig.Load(LocationConfig.ResolveHome(Console.Environment));

    /// <summary>Finds which configured location holds a backup (the named location only, when given).</summary>
    public async Task<(BackupLocation Location, BackupStore Store)> FindBackupAsync(string name, string? locationName, CancellationToken cancellationToken)
    {
        var config = LoadLocations();
        var candidates = locationName is null ? config.Locations : [config.Get(locationName)];
        foreach (var location in candidates)
        {
            var store = new BackupStore(ObjectStoreFactory.Open(location));
            if (await store.BackupExistsAsync(name, cancellationToken))
            {
                return (location, store);
            }
        }

        throw new KeyNotFoundException($"backup \"{name}\" not found in {(locationName is null ? "any backup storage location" : $"backup storage location \"{locationName}\"")}");
    }
}
