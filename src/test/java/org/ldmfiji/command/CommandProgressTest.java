package org.ldmfiji.command;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;

/** A SciJava command stops at the next step once it is cancelled or its thread is interrupted. */
class CommandProgressTest {

	private static final class Dummy extends LdmCommand {
		@Override
		public void run() {}

		@Override
		double guidance() {
			return 1;
		}
	}

	@Test
	void cancelStopsAtTheNextStep() {
		Dummy command = new Dummy();
		CommandProgress progress = new CommandProgress(null, command, "LDM test");
		assertDoesNotThrow(() -> progress.progress(1, 10));
		command.cancel("user");
		CancellationException e = assertThrows(CancellationException.class, () -> progress.progress(2, 10));
		assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
	}

	@Test
	void interruptionStopsAtTheNextStep() {
		CommandProgress progress = new CommandProgress(null, new Dummy(), "LDM test");
		Thread.currentThread().interrupt();
		try {
			assertThrows(CancellationException.class, progress::checkCancelled);
		}
		finally {
			Thread.interrupted();
		}
	}
}
