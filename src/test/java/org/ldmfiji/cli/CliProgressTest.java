package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The terminal hears of a long run at least once a minute, with the time left: a CPU run of an hour spends six
 * minutes within one tenth of its steps, where only the tenths were printed before.
 */
class CliProgressTest {

	@Test
	void aLineEveryTenthAndEveryMinuteWithTheTimeLeft() {
		String[] lines = run("superres", 200, 40_000_000_000L); // 40 s a step
		assertEquals("  superres: step 1 of 200 (0%), 40.0 s, about 2 h 13 min left", lines[0]);
		assertEquals("  superres: step 3 of 200 (1%), 2 min 0 s, about 2 h 11 min left", lines[1]);
		assertEquals("  superres: step 200 of 200 (100%), 2 h 13 min", lines[lines.length - 1]);
		// a line at least every other step (80 s), never one a step (the 10 tenths aside)
		int previous = 1;
		for (int k = 1; k < lines.length; k++) {
			int step = Integer.parseInt(lines[k].replaceAll(".*step (\\d+) of.*", "$1"));
			assertTrue(step - previous <= 2, "a gap of more than a minute after step " + previous);
			previous = step;
		}
		assertTrue(lines.length <= 100 + 10, lines.length + " lines");
	}

	@Test
	void aShortRunPrintsItsTenthsOnly() {
		assertEquals(11, run("inpaint", 100, 100_000_000L).length); // step 1 and the ten tenths, 0.1 s a step
	}

	/** The lines printed for {@code steps} steps of {@code nanos} each, on a clock of their own. */
	private static String[] run(String name, int steps, long nanos) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		long[] now = {0};
		CliProgress progress = new CliProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), name, () -> now[0]);
		for (int step = 1; step <= steps; step++) {
			now[0] += nanos;
			progress.progress(step, steps);
		}
		return bytes.toString(StandardCharsets.UTF_8).split("\n");
	}
}
