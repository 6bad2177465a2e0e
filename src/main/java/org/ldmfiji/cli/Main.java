package org.ldmfiji.cli;

import org.ldmfiji.model.BundleException;
import org.ldmfiji.model.TorchRuntime;
import org.ldmfiji.task.HeapCheck;
import org.ldmfiji.task.OptionTable;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * {@code ./ldm SUBCOMMAND [options]}: the headless entry point. Errors print one clear line and exit non-zero; no
 * failure, not even an Error, ends in a stack trace unless {@code LDM_DEBUG=1} asks for it (issue #16).
 */
public final class Main {

	static final String USAGE = String.join("\n",
		"usage: ./ldm SUBCOMMAND [options]",
		"  demo     run the bundled demo model on its sample image and write the results (--output DIR)",
		"  info     engine, version, device and the models found",
		"  bench    time per denoising step, the pipeline's overhead, cold and warm start; --scaling: large images;",
		"           --fill: the inpainting's biharmonic first guess",
		"  inpaint  --input IMG --mask MASK --output OUT [--samples N --grow PX --feather PX --context PX",
		"           --strength S (" + OptionTable.STRENGTH.range() + ", default " + OptionTable.STRENGTH.defaultAsText()
			+ "; 1: from noise) --seam blend|harmonize|correct|hard --evaluate]",
		"  superres --input IMG --output OUT [--samples N --tile PX --no-consistency --reference HR]",
		"  sample   an image of any size, in tiles: --width W --height H --output OUT [--label L --guidance G --tile PX --overlap PX",
		"           --grid fixed|torus|shifting --type 8-bit|16-bit|32-bit (or --bits 8|16|32) --batch N]",
		"common options: --model NAME|PATH (default demo)  --steps N (default 20)  --sampler dpmpp2m|ddim  --seed N",
		"                --eta E (DDIM)  --device auto|cpu|gpu  --output FILE|DIR",
		"models that take text (Stable Diffusion), every task: --prompt TEXT  --negative TEXT  --guidance G",
		"every option's default and range: README.md, Options");

	private Main() {}

	public static void main(String[] args) {
		Interruption.install();
		int code;
		try {
			code = run(args, System.out, System.err);
		}
		finally {
			Interruption.commandEnded();
		}
		if (TorchRuntime.oneDnnOff()) System.err.println("ldm: note: cpu convolutions: " + TorchRuntime.cpuConvolutions());
		// after Ctrl-C the JVM is already exiting (status 128 + signal) once the hook returns; exit() would only wait
		if (!Interruption.requested()) System.exit(code);
	}

	/** Runs a subcommand; returns the exit code. */
	static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
			out.println(USAGE);
			return args.length == 0 ? 2 : 0;
		}
		List<String> rest = Arrays.asList(args).subList(1, args.length);
		if (rest.contains("--help") || rest.contains("-h")) {
			out.println(USAGE);
			return 0;
		}
		try {
			switch (args[0]) {
				case "info":
					return new InfoCommand(rest).run(out);
				case "demo":
					return new DemoCommand(rest).run(out);
				case "bench":
					return new BenchCommand(rest).run(out);
				case "inpaint":
					return new InpaintCommand(rest).run(out);
				case "superres":
					return new SuperResCommand(rest).run(out);
				case "sample":
					return new SampleCommand(rest).run(out);
				default:
					throw new Options.UsageException("unknown subcommand '" + args[0] + "'");
			}
		}
		catch (Throwable t) {
			return fail(t, err, "1".equals(System.getenv("LDM_DEBUG")));
		}
	}

	/** Exit code of a run that ran out of Java heap. */
	static final int OUT_OF_MEMORY = 3;
	/** Exit code of a failure that is a bug (sysexits EX_SOFTWARE). */
	static final int INTERNAL_ERROR = 70;

	/** Prints the one line for what ended a run (and its stack trace when {@code debug}); returns the exit code. */
	static int fail(Throwable t, PrintStream err, boolean debug) {
		String line;
		int code;
		if (t instanceof Options.UsageException) {
			line = t.getMessage() + " (see ./ldm --help)";
			code = 2;
		}
		else if (t instanceof CancellationException) {
			line = "cancelled, nothing written";
			code = 130;
		}
		else if (t instanceof BundleException || t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
			line = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
			code = 1;
		}
		else if (t instanceof OutOfMemoryError) {
			line = outOfMemory(t.getMessage());
			code = OUT_OF_MEMORY;
		}
		else {
			line = "internal error: " + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage())
				+ " (run with LDM_DEBUG=1 for the stack trace)";
			code = INTERNAL_ERROR;
		}
		err.println("ldm: " + line.strip().replaceAll("\\s*\\R\\s*", " "));
		if (debug) t.printStackTrace(err);
		return code;
	}

	private static String outOfMemory(String what) {
		Runtime rt = Runtime.getRuntime();
		long mib = 1 << 20, used = (rt.totalMemory() - rt.freeMemory()) / mib, max = rt.maxMemory() / mib;
		return "out of memory (" + (what == null ? "Java heap" : what) + "; heap " + used + " MiB in use of at most "
			+ max + " MiB): give Java more heap (LDM_HEAP=" + HeapCheck.largerHeap() + " ./ldm ...) or use a smaller --tile";
	}
}
