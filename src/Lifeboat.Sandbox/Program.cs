using Lifeboat.Sandbox;

// Standalone sandbox: lifeboat-sandbox [--port N] [--data DIR] [--kubeconfig FILE] [--log]
var options = new SandboxOptions();
string? kubeconfig = null;
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
    switch (args[i])
    {
        case "--port": options = options with { Port = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture) }; break;
        case "--data": options = options with { DataDirectory = Value() }; break;
        case "--kubeconfig": kubeconfig = Value(); break;
        case "--log": options = options with { Logging = true }; break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; usage: lifeboat-sandbox [--port N] [--data DIR] [--kubeconfig FILE] [--log]");
            return 2;
    }
}
using var stop = new CancellationTokenSource();
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
await using var server = await SandboxServer.StartAsync(options, stop.Token);
if (kubeconfig is not null) server.WriteKubeconfig(kubeconfig);
Console.WriteLine($"sandbox API server listening on {server.Url}");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
return 0;

void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
