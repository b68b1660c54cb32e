package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The engines' names are the command line's and the checkpoints' strings, and nothing else parses. */
class EngineKindTest {
    @Test
    void theIdsAreTheCommandLineStrings() {
        assertEquals("auto, java, tornado", EngineKind.ids());
        for (EngineKind k : EngineKind.values()) {
            assertEquals(Optional.of(k), EngineKind.of(k.id()));
            assertEquals(k.id(), k.toString(), "printed as on the command line");
        }
        assertEquals("java", EngineKind.JAVA.id());
        assertEquals("tornado", EngineKind.TORNADO.id());
        assertFalse(EngineKind.of("JAVA").isPresent());
        assertFalse(EngineKind.of("jvm").isPresent());
        assertFalse(EngineKind.of(null).isPresent());
    }

    @Test
    void autoIsTheEngineThisJvmCanRun() {
        assertEquals(EngineKind.JAVA, EngineKind.JAVA.resolve());
        assertEquals(EngineKind.TORNADO, EngineKind.TORNADO.resolve());
        assertEquals(TornadoRuntimeInfo.isPresent() ? EngineKind.TORNADO : EngineKind.JAVA, EngineKind.AUTO.resolve());
        assertTrue(EngineKind.AUTO.resolve() != EngineKind.AUTO);
    }
}
