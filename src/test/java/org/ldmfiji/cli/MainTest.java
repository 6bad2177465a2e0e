package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.model.TestBundles;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The command line through its public entry point: output, exit codes, one-line errors. */
class MainTest {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

	private int run(String... args) {
		return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	private String out() {
		return out.toString(StandardCharsets.UTF_8);
	}

	private String err() {
		return err.toString(StandardCharsets.UTF_8);
	}

	@Test
	void infoNamesTheEngineOnCpuAndListsTheDemoBundle() {
		assertEquals(0, run("info", "--device", "cpu"), err());
		assertTrue(out().contains("PyTorch 2.7.1"), out());
		assertTrue(out().contains("device:  cpu"), out());
		assertTrue(out().contains("model:   demo"), "the demo bundle should be listed:\n" + out());
	}

	@Test
	void benchPrintsStepTimesAndOverhead() {
		assertEquals(0, run("bench", "--model", TestBundles.demo().toString(), "--steps", "2", "--repeats", "1", "--warmup",
			"0", "--size", "16", "--task", "inpaint"), err());
		assertTrue(out().matches("(?s).*inpaint\\s+4x4\\s+[0-9.]+\\s+[0-9.]+\\s+-?[0-9.]+%.*"), out());
	}

	@Test
	void mistakesGiveOneLineAndANonZeroExit() {
		assertEquals(2, run("paint"));
		assertTrue(err().startsWith("ldm: unknown subcommand 'paint'"), err());
		err.reset();
		assertEquals(2, run("bench", "--stepz", "3"));
		assertTrue(err().contains("unknown option --stepz") && err().contains("--steps"), err());
		err.reset();
		assertEquals(1, run("bench", "--model", "no-such-model"));
		assertTrue(err().contains("model 'no-such-model' not found"), err());
		assertEquals(1, err().trim().split("\n").length, "one line: " + err());
		err.reset();
		assertEquals(2, run("bench", "--steps", "0"));
		assertTrue(err().contains("--steps must be a whole number from 1 to 1000, got 0"), err());
	}
}
