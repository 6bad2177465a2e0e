package org.ldmfiji.cli;

import org.ldmfiji.model.BundleException;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * {@code ./ldm SUBCOMMAND [options]}: the headless entry point. Errors print one clear line and exit non-zero.
 */
public final class Main {

	static final String USAGE = String.join("\n",
		"usage: ./ldm SUBCOMMAND [options]",
		"  demo     run the bundled demo model on its sample image and write the results (--output DIR)",
		"  info     engine, version, device and the models found",
		"  bench    time per denoising step, bare TorchScript time and the pipeline's overhead; --scaling: large images",
		"  inpaint  --input IMG --mask MASK --output OUT [--samples N --grow PX --feather PX --context PX",
		"           --strength S (0-1, default 0.3; 1: from noise) --seam blend|harmonize|correct|hard --evaluate]",
		"  superres --input IMG --output OUT [--samples N --tile PX --no-consistency --reference HR]",
		"  sample   an image of any size, in tiles: --width W --height H --output OUT [--label L --guidance G --tile PX --overlap PX --bits 8|16|32]",
		"common options: --model NAME|PATH (default demo)  --steps N  --sampler ddim|dpmpp2m  --seed N",
		"                --device auto|cpu|gpu  --output FILE|DIR");

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
		catch (Options.UsageException e) {
			err.println("ldm: " + e.getMessage() + " (see ./ldm --help)");
			return 2;
		}
		catch (CancellationException e) {
			err.println("ldm: cancelled, nothing written");
			return 130;
		}
		catch (BundleException | IllegalArgumentException | IllegalStateException e) {
			err.println("ldm: " + e.getMessage());
			return 1;
		}
	}
}
