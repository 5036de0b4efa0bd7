package io.jcluster.internal;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal: the wire form of an application's metrics ({@code AppMetrics}), Prometheus client snapshots in a compact
 * binary form. Version byte, metric count, then per metric: its kind, name, help, unit and data points (labels, then
 * the kind's values). Exemplars, timestamps, native histogram buckets and state sets are left out.
 * Needs {@code prometheus-metrics-model} on the classpath: loaded only where it is.
 */
public final class SnapshotCodec {
    private static final byte VERSION = 1;
    private static final byte COUNTER = 'C', GAUGE = 'G', HISTOGRAM = 'H', GAUGE_HISTOGRAM = 'g', SUMMARY = 'S',
            INFO = 'I', UNKNOWN = 'U';

    private SnapshotCodec() {
    }

    /** Thrown by {@link #encode} when the metrics do not fit in the size given. */
    public static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /**
     * Encodes the metrics of the kinds carried (the others are counted in {@code skipped}, when given).
     *
     * @throws TooLarge when the result would exceed {@code maxBytes}
     */
    public static byte[] encode(Iterable<MetricSnapshot> metrics, int maxBytes, List<String> skipped) throws TooLarge {
        Bounded buf = new Bounded(maxBytes);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            List<MetricSnapshot> carried = new ArrayList<>();
            for (MetricSnapshot m : metrics) {
                if (kind(m) != 0) {
                    carried.add(m);
                } else if (skipped != null) {
                    skipped.add(m.getMetadata().getName());
                }
            }
            out.writeByte(VERSION);
            out.writeInt(carried.size());
            for (MetricSnapshot m : carried) {
                write(m, out);
            }
        } catch (Bounded.Overflow e) {
            throw new TooLarge("the application's metrics take more than " + maxBytes + " bytes encoded");
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail otherwise
        }
        return buf.toByteArray();
    }

    private static byte kind(MetricSnapshot m) {
        if (m instanceof CounterSnapshot) {
            return COUNTER;
        } else if (m instanceof GaugeSnapshot) {
            return GAUGE;
        } else if (m instanceof HistogramSnapshot h) {
            return h.isGaugeHistogram() ? GAUGE_HISTOGRAM : HISTOGRAM;
        } else if (m instanceof SummarySnapshot) {
            return SUMMARY;
        } else if (m instanceof InfoSnapshot) {
            return INFO;
        } else if (m instanceof UnknownSnapshot) {
            return UNKNOWN;
        }
        return 0;
    }

    private static void write(MetricSnapshot m, DataOutputStream out) throws IOException {
        byte kind = kind(m);
        MetricMetadata md = m.getMetadata();
        out.writeByte(kind);
        out.writeUTF(md.getName());
        out.writeUTF(md.getHelp() == null ? "" : md.getHelp());
        out.writeUTF(md.hasUnit() ? md.getUnit().toString() : "");
        List<? extends DataPointSnapshot> points = m.getDataPoints();
        out.writeInt(points.size());
        for (DataPointSnapshot p : points) {
            Labels labels = p.getLabels();
            out.writeShort(labels.size());
            for (int i = 0; i < labels.size(); i++) {
                out.writeUTF(labels.getName(i));
                out.writeUTF(labels.getValue(i));
            }
            if (p instanceof CounterDataPointSnapshot c) {
                out.writeDouble(c.getValue());
            } else if (p instanceof GaugeDataPointSnapshot g) {
                out.writeDouble(g.getValue());
            } else if (p instanceof UnknownDataPointSnapshot u) {
                out.writeDouble(u.getValue());
            } else if (p instanceof HistogramDataPointSnapshot h) {
                ClassicHistogramBuckets b = h.hasClassicHistogramData() ? h.getClassicBuckets() : ClassicHistogramBuckets.EMPTY;
                out.writeInt(b.size());
                for (int i = 0; i < b.size(); i++) {
                    out.writeDouble(b.getUpperBound(i));
                    out.writeLong(b.getCount(i));
                }
                out.writeDouble(h.hasSum() ? h.getSum() : Double.NaN);
            } else if (p instanceof SummaryDataPointSnapshot s) {
                out.writeLong(s.hasCount() ? s.getCount() : -1);
                out.writeDouble(s.hasSum() ? s.getSum() : Double.NaN);
                Quantiles q = s.getQuantiles();
                out.writeInt(q.size());
                for (int i = 0; i < q.size(); i++) {
                    out.writeDouble(q.get(i).getQuantile());
                    out.writeDouble(q.get(i).getValue());
                }
            }
            // info: the labels are all
        }
    }

    /**
     * Decodes what {@link #encode} made.
     *
     * @throws IllegalArgumentException when the bytes are not such an encoding
     */
    public static MetricSnapshots decode(byte[] bytes) {
        if (bytes.length == 0) {
            return MetricSnapshots.of();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte v = in.readByte();
            if (v != VERSION) {
                throw new IllegalArgumentException("app metrics of version " + v + " (this primary reads " + VERSION + ")");
            }
            int n = count(in.readInt(), bytes.length);
            List<MetricSnapshot> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(read(in, bytes.length));
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " stray bytes after the app metrics");
            }
            return new MetricSnapshots(list);
        } catch (EOFException e) {
            throw new IllegalArgumentException("truncated app metrics", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable app metrics: " + e.getMessage(), e);
        }
    }

    private static int count(int n, int limit) {
        if (n < 0 || n > limit) {
            throw new IllegalArgumentException("a count of " + n + " in app metrics of " + limit + " bytes");
        }
        return n;
    }

    private static MetricSnapshot read(DataInputStream in, int limit) throws IOException {
        byte kind = in.readByte();
        String name = in.readUTF();
        String help = in.readUTF();
        String unit = in.readUTF();
        MetricMetadata md = new MetricMetadata(name, help.isEmpty() ? null : help, unit.isEmpty() ? null : new Unit(unit));
        int n = count(in.readInt(), limit);
        List<DataPointSnapshot> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int nl = in.readUnsignedShort();
            String[] names = new String[nl];
            String[] values = new String[nl];
            for (int j = 0; j < nl; j++) {
                names[j] = in.readUTF();
                values[j] = in.readUTF();
            }
            Labels labels = Labels.of(names, values);
            points.add(switch (kind) {
                case COUNTER -> new CounterDataPointSnapshot(in.readDouble(), labels, null, 0);
                case GAUGE -> new GaugeDataPointSnapshot(in.readDouble(), labels, null);
                case UNKNOWN -> new UnknownDataPointSnapshot(in.readDouble(), labels, null);
                case HISTOGRAM, GAUGE_HISTOGRAM -> histogramPoint(in, labels, limit);
                case SUMMARY -> summaryPoint(in, labels, limit);
                case INFO -> new InfoDataPointSnapshot(labels);
                default -> throw new IllegalArgumentException("unknown metric kind " + kind + " in app metrics");
            });
        }
        return snapshot(kind, md, points);
    }

    private static HistogramDataPointSnapshot histogramPoint(DataInputStream in, Labels labels, int limit) throws IOException {
        int nb = count(in.readInt(), limit);
        double[] bounds = new double[nb];
        long[] counts = new long[nb];
        for (int i = 0; i < nb; i++) {
            bounds[i] = in.readDouble();
            counts[i] = in.readLong();
        }
        double sum = in.readDouble();
        return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, counts), sum, labels, null, 0);
    }

    private static SummaryDataPointSnapshot summaryPoint(DataInputStream in, Labels labels, int limit) throws IOException {
        long count = in.readLong();
        double sum = in.readDouble();
        int nq = count(in.readInt(), limit);
        List<Quantile> qs = new ArrayList<>(nq);
        for (int i = 0; i < nq; i++) {
            qs.add(new Quantile(in.readDouble(), in.readDouble()));
        }
        return new SummaryDataPointSnapshot(count, sum, Quantiles.of(qs), labels, null, 0);
    }

    @SuppressWarnings("unchecked")
    private static MetricSnapshot snapshot(byte kind, MetricMetadata md, List<? extends DataPointSnapshot> points) {
        return switch (kind) {
            case COUNTER -> new CounterSnapshot(md, (List<CounterDataPointSnapshot>) points);
            case GAUGE -> new GaugeSnapshot(md, (List<GaugeDataPointSnapshot>) points);
            case UNKNOWN -> new UnknownSnapshot(md, (List<UnknownDataPointSnapshot>) points);
            case HISTOGRAM, GAUGE_HISTOGRAM -> new HistogramSnapshot(kind == GAUGE_HISTOGRAM, md,
                    (List<HistogramDataPointSnapshot>) points);
            case SUMMARY -> new SummarySnapshot(md, (List<SummaryDataPointSnapshot>) points);
            case INFO -> new InfoSnapshot(md, (List<InfoDataPointSnapshot>) points);
            default -> throw new IllegalArgumentException("unknown metric kind " + kind);
        };
    }

    /** A byte buffer that refuses to grow past a bound. */
    private static final class Bounded extends ByteArrayOutputStream {
        static final class Overflow extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Overflow() {
                super(null, null, false, false);
            }
        }

        private final int max;

        Bounded(int max) {
            super(Math.min(max, 4096));
            this.max = max;
        }

        @Override
        public synchronized void write(int b) {
            check(1);
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            check(len);
            super.write(b, off, len);
        }

        private void check(int more) {
            if (count + more > max) {
                throw new Overflow();
            }
        }
    }
}
