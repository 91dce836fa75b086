package dev.pipeline.logs;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** What the logs topology tests share: a {@link LogsDriver} over a fresh state dir, closed after each test. */
abstract class LogsDriverTests {
    @TempDir
    Path stateDir;
    LogsDriver logs;

    /** Starts the topology with {@code overrides} over the defaults. */
    LogsDriver start(Map<String, ?> overrides) {
        logs = new LogsDriver(stateDir, overrides);
        return logs;
    }

    @AfterEach
    void closeDriver() {
        if (logs != null) {
            logs.close();
            logs = null;
        }
    }
}
