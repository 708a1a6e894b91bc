using MiniMind.Studio.Cli;

// No verb: start the web studio. A verb (forward, generate, info, ...): run it and exit.
return await StudioCli.RunAsync(args);

/// <summary>The host's entry type, public so tests can start it with WebApplicationFactory.</summary>
public partial class Program;
