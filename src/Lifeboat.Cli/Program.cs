using Lifeboat.Cli;

return await LifeboatApp.RunAsync(args, CliConsole.System);
