using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Switcher over every benchmark. `--smoke` runs each benchmark body once in-process as a smoke test.
var config = args.Contains("--smoke") ? new DebugInProcessConfig() : DefaultConfig.Instance;
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Where(a => a != "--smoke").ToArray(), config);
