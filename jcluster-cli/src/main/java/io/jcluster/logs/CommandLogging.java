package io.jcluster.logs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Where the SLF4J lines of the jcluster command go (the core's, Netty's): in a primary, once its {@link LogSink}
 * exists, they are the primary's own lines ({@code [primary PID] text}, to its output and the merged log, a warning
 * or an error to stderr), so a primary speaks in one style; anywhere else (a worker, another command) to stderr as
 * {@code [LEVEL] Logger - text}. INFO and above; {@code -Djcluster.log.debug=true} adds DEBUG.
 */
public final class CommandLogging implements SLF4JServiceProvider {
    private static volatile Consumer<String> info;
    private static volatile Consumer<String> warn;

    private final ILoggerFactory loggers = new Loggers();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    /** From now on, INFO lines go to {@code info} and WARN and ERROR lines to {@code warn}; null: back to stderr. */
    static void route(Consumer<String> infoLines, Consumer<String> warnLines) {
        info = infoLines;
        warn = warnLines;
    }

    /** One line as this class writes it: the message, its arguments filled in, and the throwable's own text. */
    static String text(String pattern, Object[] args, Throwable t) {
        String msg = MessageFormatter.basicArrayFormat(pattern, args);
        return t == null ? msg : msg + ": " + t;
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up
    }

    private static final class Loggers implements ILoggerFactory {
        private final Map<String, Logger> byName = new ConcurrentHashMap<>();

        @Override
        public Logger getLogger(String name) {
            return byName.computeIfAbsent(name, LineLogger::new);
        }
    }

    private static final class LineLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private static final boolean DEBUG = Boolean.getBoolean("jcluster.log.debug");
        private final String shortName;

        LineLogger(String name) {
            this.name = name;
            this.shortName = name.substring(name.lastIndexOf('.') + 1);
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return DEBUG;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            String text = text(pattern, args, t);
            Consumer<String> to = level == Level.WARN || level == Level.ERROR ? warn : info;
            if (to != null) {
                to.accept(level == Level.ERROR ? "error: " + text : text);
            } else {
                System.err.println("[" + level + "] " + shortName + " - " + text);
            }
        }
    }
}
