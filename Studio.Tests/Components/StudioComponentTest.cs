using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Training;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;
using MudBlazor.Services;
using static TorchSharp.torch;

namespace MiniMind.Studio.Tests.Components;

/// <summary>bUnit with MudBlazor and the studio's real services over the repository's data and a temporary out/.</summary>
public abstract class StudioComponentTest : BunitContext, IAsyncLifetime
{
    protected StudioComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(Folders.Options);
        Services.AddSingleton(Folders.Paths);
        Services.AddSingleton(_ => TorchRuntime.Initialize(new RuntimeOptions("cpu")));
        Services.AddSingleton<RunRegistry>();
        Services.AddSingleton<ConversationStore>();
        Services.AddSingleton<TrainingNotifications>();
        Services.AddSingleton(sp => new RunManager(sp.GetRequiredService<RuntimeInfo>()));
        Services.AddSingleton(sp => new TrainingService(sp.GetRequiredService<RunManager>(), sp.GetRequiredService<RunRegistry>(),
            sp.GetRequiredService<TrainingNotifications>(), sp.GetRequiredService<StudioPaths>(), NullLogger<TrainingService>.Instance));
        Services.AddSingleton(sp => new DemoPipeline(sp.GetRequiredService<TrainingService>(), sp.GetRequiredService<StudioPaths>(), Folders.Options, NullLogger<DemoPipeline>.Instance));
        Services.AddSingleton<CheckpointCatalog>();
        Services.AddSingleton<DatasetCatalog>();
        Services.AddSingleton<DatasetService>();
        Services.AddSingleton<TokenizerCache>();
        Services.AddSingleton(new ModelCatalog(new ModelCatalogOptions { OutDir = Folders.Paths.OutDir, Load = new ChatModelOptions { Device = CPU } }));
        Services.AddSingleton<EngineChatBackend>();
    }

    protected StudioFolders Folders { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        Folders.Dispose();
    }
}
