package org.ldmfiji;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.*;

class EngineSmokeTest {
	@Test
	void pytorchLoadsOffline() {
		Engine e = Engine.getEngine("PyTorch");
		assertEquals("2.7.1", e.getVersion());
	}
}
