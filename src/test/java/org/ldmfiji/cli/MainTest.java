package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.TestBundles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The command line through its public entry point: output, exit codes, one-line errors. */
class MainTest {

	@TempDir
	Path tmp;

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

	/** The first guess's benchmark: one line per hole, solved directly, a paraboloid reproduced, no error to the exact. */
	@Test
	void benchFillPrintsALinePerHole() {
		assertEquals(0, run("bench", "--fill", "--sizes", "24,40"), err());
		assertTrue(out().matches("(?s).*\\n\\s+24\\s+56\\s+directly\\s+[0-9.]+e-0[6-9]\\s+[0-9]+\\s+0\\.00e\\+00\\n.*"), out());
		assertTrue(out().matches("(?s).*\\n\\s+40\\s+.*"), out());
		assertEquals(2, run("bench", "--fill", "--sizes", "64,abc"));
		assertTrue(err().contains("--sizes takes sides in pixels") && err().contains("got '64,abc'"), err());
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

	@Test
	void typosRepeatsHelpAndLargeSeedsAreAnsweredBeforeAnyWork() {
		assertEquals(2, run("superres", "--input", "a.tif", "--outptu", "b.tif"));
		String line = err().strip();
		assertTrue(line.startsWith("ldm: unknown option --outptu for 'superres' (did you mean --output?); known: --device, "
			+ "--eta, --guidance, --input, "), line);
		assertEquals(line, line.lines().findFirst().orElse(""), "one line");
		err.reset();
		assertEquals(2, run("superres", "--input", "a.tif", "--output", "b.tif", "--seed", "1", "--seed", "2"));
		assertTrue(err().startsWith("ldm: --seed is given twice: give it once"), err());
		err.reset();
		assertEquals(2, run("superres", "--input", "a.tif", "--output", "b.tif", "--seed", "9007199254740993"));
		assertTrue(err().contains("--seed must be a whole number from -9007199254740992 to 9007199254740992, got "
			+ "9007199254740993"), err());
		err.reset();
		assertEquals(0, run("superres", "--help"));
		assertTrue(out().startsWith("usage: ./ldm SUBCOMMAND"), out());
		assertEquals("", err());
	}

	/** A copy of the demo bundle with one text of its model.json replaced. */
	private Path tampered(String name, String from, String to) throws IOException {
		Path copy = TestBundles.copy(TestBundles.demo(), tmp.resolve(name));
		Path json = copy.resolve(Manifest.FILE_NAME);
		String text = Files.readString(json);
		assertTrue(text.contains(from), from);
		Files.writeString(json, text.replace(from, to));
		return copy;
	}

	private void assertOneLineWithoutStackTrace() {
		assertEquals(1, err().strip().split("\\R").length, "one line: " + err());
		assertTrue(!err().contains("\tat ") && !err().contains("Exception in"), err());
	}

	@Test
	void aTamperedBundleGivesOneLineAndExit1() throws IOException {
		Path huge = tampered("huge", "\"timesteps\": 1000", "\"timesteps\": 2e9"); // was: OutOfMemoryError
		assertEquals(1, run("bench", "--model", huge.toString(), "--steps", "2", "--repeats", "1", "--warmup", "0", "--size",
			"16", "--task", "inpaint"), err());
		assertTrue(err().startsWith("ldm: ") && err().contains("$.schedule.timesteps must be an integer from 2 to 10000, "
			+ "got 2e9"), err());
		assertOneLineWithoutStackTrace();
		err.reset();
		Path wrongType = tampered("wrong-type", "\"range\": [\n      -1.0,", "\"range\": [\n      {},"); // was: UnsupportedOperationException
		assertEquals(1, run("bench", "--model", wrongType.toString(), "--steps", "2", "--repeats", "1", "--warmup", "0",
			"--size", "16", "--task", "inpaint"), err());
		assertTrue(err().contains("$.image.range must be [min, max]"), err());
		assertOneLineWithoutStackTrace();
	}

	@Test
	void anyOtherFailureIsOneLineWithItsClassAndTheDebugHint() {
		PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
		assertEquals(Main.INTERNAL_ERROR, Main.fail(new NullPointerException("boom\nsecond line"), e, false));
		assertEquals("ldm: internal error: java.lang.NullPointerException: boom second line (run with LDM_DEBUG=1 for the "
			+ "stack trace)", err().strip());
		err.reset();
		assertEquals(Main.INTERNAL_ERROR, Main.fail(new StackOverflowError(), e, false));
		assertTrue(err().startsWith("ldm: internal error: java.lang.StackOverflowError (run with LDM_DEBUG=1"), err());
		assertOneLineWithoutStackTrace();
		err.reset();
		assertEquals(Main.OUT_OF_MEMORY, Main.fail(new OutOfMemoryError("Java heap space"), e, false));
		assertTrue(err().matches("ldm: out of memory \\(Java heap space; heap \\d+ MiB in use of at most \\d+ MiB\\): give "
			+ "Java more heap \\(LDM_HEAP=\\d+g ./ldm \\.\\.\\.\\) or use a smaller --tile\\R"), err());
		err.reset();
		assertEquals(Main.INTERNAL_ERROR, Main.fail(new NullPointerException("boom"), e, true));
		assertTrue(err().contains("\tat org.ldmfiji.cli.MainTest"), "LDM_DEBUG=1 shows the stack trace: " + err());
	}
}
