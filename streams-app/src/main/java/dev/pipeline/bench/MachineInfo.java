package dev.pipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the figures were measured on; Linux's /proc where available, -1 / "unknown" elsewhere. */
public record MachineInfo(int cores, long memoryBytes, String jdk, String os, String loadAverage, long maxHeapBytes,
        long stolenCpuMsAtStart) {
    /** /proc/stat counts in USER_HZ ticks, 100 per second on every Linux architecture. */
    private static final long USER_HZ = 100;

    public static MachineInfo current() {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), procKb("/proc/meminfo", "MemTotal:") * 1024,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                currentLoadAverage(), Runtime.getRuntime().maxMemory(), stolenCpuMillis());
    }

    /**
     * CPU time the hypervisor gave to other guests while this machine's CPUs wanted to run, summed
     * over all CPUs since boot ({@code steal} in /proc/stat); -1 where there is no /proc. A virtual
     * machine whose neighbours are busy loses whole time slices: the bench reports it so that a
     * stall it caused is not read as the pipeline's.
     */
    public static long stolenCpuMillis() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return Long.parseLong(cpu[8]) * 1000 / USER_HZ;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** This process's peak resident set size (VmHWM), or -1 when /proc is not there. */
    public static long peakRssBytes() {
        long kb = procKb("/proc/self/status", "VmHWM:");
        return kb < 0 ? -1 : kb * 1024;
    }

    /** The 1/5/15-minute load averages: how busy the machine was besides us. */
    public static String currentLoadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static long procKb(String file, String field) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (String l : lines) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: reported as unknown
        }
        return -1;
    }
}
