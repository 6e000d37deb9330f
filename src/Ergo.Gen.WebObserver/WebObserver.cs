using System.Net;
using System.Text.Json;
using Ergo.Gen.Etf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ergo.Gen.WebObserver;

/// <summary>
/// A web observer for a node on 127.0.0.1: the page (<c>/</c>), a JSON snapshot (<c>/api/snapshot</c>), the same
/// pushed every second over Server-Sent Events (<c>/api/stream</c>), and one process in detail
/// (<c>/api/process/{number}.{serial}</c>). It reads the node through its node-info API only.
/// </summary>
public sealed class WebObserver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Timer _sampler;

    private WebObserver(WebApplication app, Timer sampler, Uri address)
    {
        _app = app;
        _sampler = sampler;
        Address = address;
    }

    /// <summary>The address the page is served on.</summary>
    public Uri Address { get; }

    /// <summary>Serves the page on 127.0.0.1:<paramref name="port"/> (0 picks a free port).</summary>
    public static async Task<WebObserver> StartAsync(Node node, int port = 0, CancellationToken cancellationToken = default)
    {
        var history = new History();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/", (HttpContext ctx) => Page(ctx));
        app.MapGet("/api/snapshot", (HttpContext ctx) => Json(ctx, w => Snapshot.WriteAsync(w, node, history)));
        app.MapGet("/api/stream", (HttpContext ctx) => Stream(ctx, node, history));
        app.MapGet("/api/process/{id}", (HttpContext ctx) => Process(ctx, node));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var sampler = new Timer(_ => history.Sample(node), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        return new WebObserver(app, sampler, new Uri(app.Urls.First()));
    }

    private static async Task Page(HttpContext ctx)
    {
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await using var page = typeof(WebObserver).Assembly.GetManifestResourceStream("index.html")!;
        await page.CopyToAsync(ctx.Response.Body).ConfigureAwait(false);
    }

    private static async Task Json(HttpContext ctx, Func<Utf8JsonWriter, Task> write)
    {
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        await using var w = new Utf8JsonWriter(ctx.Response.Body);
        await write(w).ConfigureAwait(false);
        await w.FlushAsync().ConfigureAwait(false);
    }

    private static async Task Stream(HttpContext ctx, Node node, History history)
    {
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-store";
        var ct = ctx.RequestAborted;
        using var buffer = new MemoryStream();
        while (!ct.IsCancellationRequested)
        {
            buffer.SetLength(0);
            await using (var w = new Utf8JsonWriter(buffer))
                await Snapshot.WriteAsync(w, node, history).ConfigureAwait(false);
            await ctx.Response.WriteAsync("data: ", ct).ConfigureAwait(false);
            await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct).ConfigureAwait(false);
            await ctx.Response.WriteAsync("\n\n", ct).ConfigureAwait(false);
            await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task Process(HttpContext ctx, Node node)
    {
        var id = (string?)ctx.Request.RouteValues["id"] ?? "";
        var parts = id.Split('.');
        if (parts.Length != 2 || !uint.TryParse(parts[0], out var number) || !uint.TryParse(parts[1], out var serial)
            || node.GetProcessInfo(new Pid(node.Name, number, serial, node.Creation)) is not { } info)
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await Json(ctx, w =>
        {
            Snapshot.WriteProcess(w, info);
            return Task.CompletedTask;
        }).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _sampler.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
