using System.Collections.Concurrent;
using EduVpnActors.Actors.Display;
using Microsoft.Extensions.Logging;

namespace EduVpnActors.Host.Output;

/// <summary>
/// Without <c>--verbose</c> the engine's log is not shown: its warnings and errors are kept here (the
/// last <see cref="Capacity"/> lines, one line each, without stack traces) and printed on stderr only
/// when the command ends in an internal fault, where they help to tell what went wrong.
/// </summary>
internal sealed class FaultLog : ILoggerProvider
{
    /// <summary>Lines kept at most; older ones are dropped.</summary>
    public const int Capacity = 200;

    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>The one buffer of the process.</summary>
    public static FaultLog Instance { get; } = new();

    /// <summary>The kept lines, oldest first.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>
    /// A console writer into the buffer, for libraries that print on the console themselves (Akka's
    /// standard-out logger, Akka.Hosting's start failure): their lines are kept, stack frames dropped.
    /// </summary>
    public TextWriter Writer => _writer ??= TextWriter.Synchronized(new LineWriter(this));

    private TextWriter? _writer;

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new BufferLogger(this, categoryName);

    /// <inheritdoc/>
    public void Dispose()
    {
        // The buffer lives as long as the process: the fault report reads it after the host has stopped.
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class LineWriter(FaultLog log) : TextWriter
    {
        private readonly System.Text.StringBuilder _line = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            if (value != '\n')
            {
                _line.Append(value);
                return;
            }
            var line = _line.ToString().TrimEnd('\r');
            _line.Clear();
            var trimmed = line.TrimStart();
            if (trimmed.Length > 0 && !trimmed.StartsWith("at ", StringComparison.Ordinal) && !trimmed.StartsWith("--- End of", StringComparison.Ordinal))
            {
                log.Add(TerminalText.Escape(line));
            }
        }
    }

    private sealed class BufferLogger(FaultLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var cause = exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message.Split('\n')[0].Trim()})";
            log.Add(TerminalText.Escape($"{logLevel} {category}: {formatter(state, exception).Split('\n')[0].Trim()}{cause}"));
        }
    }
}
