using System.Net;
using System.Net.Sockets;

namespace Werkly.VectorIndex.Postgres.Tests.Support;

/// <summary>A loopback TCP proxy in front of a server that closes the next N connections as soon as they arrive (what a
/// client sees of a server restart or failover), and forwards the others.</summary>
public sealed class DroppingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private int _toDrop;
    private int _dropped;

    /// <summary>Starts forwarding to <paramref name="targetPort"/> on the loopback interface.</summary>
    public DroppingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections dropped so far.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Drops the next <paramref name="connections"/> connections (0: none; <see cref="int.MaxValue"/>: all until told otherwise).</summary>
    public void DropNext(int connections) => Volatile.Write(ref _toDrop, connections);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (Interlocked.Decrement(ref _toDrop) >= 0)
            {
                Interlocked.Increment(ref _dropped);
                client.Client.LingerState = new LingerOption(true, 0); // a reset, as a crashed server's socket
                client.Dispose();
                continue;
            }
            Interlocked.Exchange(ref _toDrop, 0);
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                var a = client.GetStream();
                var b = server.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
