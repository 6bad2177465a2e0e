package org.ldmfiji.spark;

import ij.IJ;
import ij.ImagePlus;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import ij.process.ByteProcessor;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

import org.ldmfiji.model.BundleLocator;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.NativeAllocator;
import org.ldmfiji.task.OptionTable;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import scala.Tuple2;

/**
 * {@code ./ldm spark superres --input FOLDER|GLOB|IMAGE.zarr --output DIR|OUT.zarr [options]}: x f super-resolution
 * on Apache Spark, locally ({@code local[*]}) or on a cluster (spark-submit). Folders and globs of images: one unit
 * of work per plane ({@link FolderJob}); a 2D Zarr array: blocks with a halo ({@link ZarrJob}). Re-runs skip what is
 * finished; {@code --dry-run} prints the plan and a calibrated time estimate.
 */
public final class SparkMain {

	static final String USAGE = String.join("\n",
		"usage: ./ldm spark superres --input FOLDER|GLOB|IMAGE|IMAGE.zarr --output DIR|OUT.zarr [options]",
		"       ./ldm spark inpaint --input FOLDER|GLOB|IMAGE --masks DIR --output DIR [options]   (a unit per slice and frame)",
		"       ./ldm spark sample --output OUT.zarr --width W --height H [options]   (one huge image, in cells)",
		"       ./ldm spark zarr-import --input IMAGE.tif --output IMAGE.zarr [--chunk PX]   (one plane as a 2D Zarr array)",
		"       ./ldm spark zarr-export --input IMAGE.zarr --output IMAGE.tif",
		"options: --model NAME|PATH  --steps N  --sampler dpmpp2m|ddim  --seed N  --eta E  --samples N  --tile PX  --no-consistency",
		"         --device auto|cpu|gpu  --master URL (default: spark.master, else local[*,4])",
		"         --shared-model (the bundle path is readable on every machine; default: Spark ships it)",
		"         --dry-run (print the units, memory per executor and a calibrated time estimate; run nothing)",
		"Zarr:    --block PX (default 256)  --halo PX (default 32)  --chunk PX (output chunks, input pixels; default: block)",
		"         --range LO,HI (values mapped onto the model's range; default 0,255 for u1, else and for a dim u1 (fewer",
		"         than 48 levels) percentiles 0.1/99.9)",
		"inpaint: --masks DIR (a mask image per image, same file name; non-zero = fill)  --grow PX  --feather PX",
		"         --context PX  --strength S  --seam blend|harmonize|correct|hard  (./ldm inpaint's options and defaults)",
		"sample:  --block PX (cells, default 128)  --context PX (default 32)  --band PX (fill blended into neighbours, default 8)",
		"         --chunk PX (default: block)  --type 8-bit|16-bit|32-bit",
		"         --label L  --guidance G  --strength S (of the gap fill, default 1)  --seam S  --partitions N",
		"         --no-gap-fill (sample every cell on its own: shows the seams the second phase removes)");

	private SparkMain() {}

	public static void main(String[] args) {
		int code;
		try {
			code = run(args, System.out, System.err);
		}
		catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
			System.err.println("ldm spark: " + e.getMessage());
			code = 1;
		}
		System.exit(code);
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
			out.println(USAGE);
			return args.length == 0 ? 2 : 0;
		}
		Map<String, String> o = parse(args);
		switch (args[0]) {
			case "superres":
				return superres(o, out, err);
			case "inpaint":
				return inpaint(o, out, err);
			case "sample":
				return sample(o, out, err);
			case "zarr-import":
				return zarrImport(o, out);
			case "zarr-export":
				return zarrExport(o, out);
			default:
				throw new IllegalArgumentException("unknown subcommand '" + args[0] + "' (see ./ldm spark --help)");
		}
	}

	private static final List<String> FLAGS = List.of("no-consistency", "dry-run", "shared-model", "no-gap-fill");

	static Map<String, String> parse(String[] args) {
		Map<String, String> o = new HashMap<>();
		for (int i = 1; i < args.length; i++) {
			String a = args[i];
			if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "' (options start with --)");
			String key = a.substring(2), value;
			int eq = key.indexOf('=');
			if (eq >= 0) {
				value = key.substring(eq + 1);
				key = key.substring(0, eq);
			}
			else if (FLAGS.contains(key)) value = "true";
			else if (i + 1 < args.length) value = args[++i];
			else throw new IllegalArgumentException("option --" + key + " needs a value");
			o.put(key, value);
		}
		return o;
	}

	private static String required(Map<String, String> o, String key) {
		String v = o.get(key);
		if (v == null) throw new IllegalArgumentException("--" + key + " is required (see ./ldm spark --help)");
		return v;
	}

	private static int integer(Map<String, String> o, String key, int def) {
		try {
			return o.containsKey(key) ? Integer.parseInt(o.get(key)) : def;
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException("--" + key + " needs a whole number, got '" + o.get(key) + "'");
		}
	}

	static boolean isZarr(String input) {
		return ZarrArray2D.isArray(input);
	}

	static int superres(Map<String, String> o, PrintStream out, PrintStream err) {
		String input = required(o, "input"), output = required(o, "output");
		RunSettings s = new RunSettings(o.getOrDefault("sampler", OptionTable.SAMPLER.defaultText()),
			integer(o, "steps", OptionTable.SR_STEPS.defaultInt()),
			o.containsKey("seed") ? Long.parseLong(o.get("seed")) : OptionTable.SEED.defaultLong(),
			o.containsKey("eta") ? Double.parseDouble(o.get("eta")) : OptionTable.ETA.defaultNumber(),
			integer(o, "tile", OptionTable.TILE.defaultInt()), !o.containsKey("no-consistency"),
			integer(o, "samples", OptionTable.SR_SAMPLES.defaultInt()));
		Path folder = BundleLocator.standard().find(o.getOrDefault("model", BundleLocator.DEFAULT_MODEL));
		Bundles.Ref ref = Bundles.reference(folder, o.containsKey("shared-model"), o.getOrDefault("device", "auto"));
		Manifest m = Manifest.read(folder);
		int f = m.autoencoder.factor;
		boolean dry = o.containsKey("dry-run");

		List<FolderJob.Unit> units = null;
		ZarrJob.Job job = null;
		long count;
		int window;
		if (isZarr(input)) {
			ZarrArray2D a = ZarrArray2D.open(input);
			int block = integer(o, "block", 256), halo = integer(o, "halo", 32), chunk = integer(o, "chunk", block);
			ZarrJob.Grid g = new ZarrJob.Grid(a.height, a.width, block, halo, f);
			double[] range = o.containsKey("range") ? range(o.get("range")) : ZarrJob.valueRange(a, g);
			job = new ZarrJob.Job(Paths.get(input).toAbsolutePath().toString(), Paths.get(output).toAbsolutePath().toString(),
				g, chunk, range[0], range[1], s, ref);
			count = ZarrJob.blocks(g).size();
			window = Math.min(block + 2 * halo, Math.max(g.height, g.width));
			out.println("ldm spark: " + ZarrJob.describe(job));
		}
		else {
			units = FolderJob.plan(FolderJob.inputs(input));
			count = units.size();
			window = 0;
			for (FolderJob.Unit u : units) {
				ImagePlus imp = FolderJob.open(u.path);
				window = Math.max(window, Math.max(imp.getWidth(), imp.getHeight()));
				if (u.plane == u.planes) imp.close();
			}
			out.println("ldm spark: " + count + " unit(s) (planes) in " + units.stream().filter(u -> u.plane == 1).count()
				+ " image(s), largest side " + window + " px");
		}
		out.println("ldm spark: model " + m.name + " (" + folder + ", model.json SHA-256 " + ref.manifestSha256 + "), " + s);

		try (JavaSparkContext jsc = context("superres", o)) {
			if (ref.sharedPath == null) Bundles.ship(jsc, folder);
			ProgressListener progress = new ProgressListener(err, jsc);
			jsc.sc().addSparkListener(progress);
			LongAccumulator opens = jsc.sc().longAccumulator("bundle opens");
			if (dry) {
				Plan.print(out, jsc, ref, s, m, folder, count, window, job, units);
				return 0;
			}
			long t0 = System.nanoTime();
			long[] r = job != null ? ZarrJob.run(jsc, progress, job, opens) : FolderJob.run(jsc, progress, units, ref,
				PlaneWork.superResolution(s), Paths.get(output), opens);
			report(out, r, opens, t0, output);
		}
		return 0;
	}

	/**
	 * {@code inpaint}: every (slice, frame) position of every image filled where its mask image (same file name in
	 * --masks) is non-zero, as {@code ./ldm inpaint --input IMAGE --mask MASK} fills it with the same options and seed.
	 */
	static int inpaint(Map<String, String> o, PrintStream out, PrintStream err) {
		String input = required(o, "input"), output = required(o, "output"), masks = required(o, "masks");
		if (isZarr(input)) throw new IllegalArgumentException("inpaint takes a folder, glob or image: Zarr arrays are for "
			+ "superres and sample");
		if (o.containsKey("samples") && integer(o, "samples", 1) != 1) throw new IllegalArgumentException("--samples: "
			+ "inpaint on Spark writes one fill per plane; make several with ./ldm inpaint --samples N on one image");
		InpaintSettings s = new InpaintSettings(o.getOrDefault("sampler", OptionTable.SAMPLER.defaultText()),
			integer(o, "steps", OptionTable.STEPS.defaultInt()),
			o.containsKey("seed") ? Long.parseLong(o.get("seed")) : OptionTable.SEED.defaultLong(),
			o.containsKey("eta") ? Double.parseDouble(o.get("eta")) : OptionTable.ETA.defaultNumber(),
			integer(o, "grow", OptionTable.GROW.defaultInt()), integer(o, "feather", OptionTable.FEATHER.defaultInt()),
			integer(o, "context", OptionTable.CONTEXT.defaultInt()),
			o.containsKey("strength") ? Double.parseDouble(o.get("strength")) : OptionTable.STRENGTH.defaultNumber(),
			o.getOrDefault("seam", OptionTable.SEAM.defaultText()));
		Path folder = BundleLocator.standard().find(o.getOrDefault("model", BundleLocator.DEFAULT_MODEL));
		Bundles.Ref ref = Bundles.reference(folder, o.containsKey("shared-model"), o.getOrDefault("device", "auto"));
		Manifest m = Manifest.read(folder);
		m.denoiser(org.ldmfiji.task.Inpainting.TASK); // a bundle without inpainting is refused before any work
		List<FolderJob.Unit> units = FolderJob.planInpainting(FolderJob.inputs(input), Paths.get(masks));
		out.println("ldm spark: " + units.size() + " unit(s) ((slice, frame) positions) in " + units.stream()
			.filter(u -> u.plane == 1).count() + " image(s), each with its mask from " + masks);
		out.println("ldm spark: model " + m.name + " (" + folder + ", model.json SHA-256 " + ref.manifestSha256 + "), " + s);
		try (JavaSparkContext jsc = context("inpaint", o)) {
			if (ref.sharedPath == null) Bundles.ship(jsc, folder);
			ProgressListener progress = new ProgressListener(err, jsc);
			jsc.sc().addSparkListener(progress);
			LongAccumulator opens = jsc.sc().longAccumulator("bundle opens");
			PlaneWork work = PlaneWork.inpainting(s);
			if (o.containsKey("dry-run")) {
				Plan.printUnits(out, jsc, ref, work, folder, units, s.steps);
				return 0;
			}
			long t0 = System.nanoTime();
			report(out, FolderJob.run(jsc, progress, units, ref, work, Paths.get(output), opens), opens, t0, output);
		}
		return 0;
	}

	/**
	 * {@code sample}: one large image sampled from noise into a Zarr store, in cells on a checkerboard: the black cells
	 * sampled on their own, the white ones inpainted between them ({@link SampleJob}).
	 */
	static int sample(Map<String, String> o, PrintStream out, PrintStream err) {
		String output = required(o, "output");
		int width = integer(o, "width", OptionTable.WIDTH.defaultInt()), height = integer(o, "height",
			OptionTable.HEIGHT.defaultInt());
		if (width < 1 || height < 1) throw new IllegalArgumentException("--width and --height must be at least 1");
		int block = integer(o, "block", 128);
		String type = OptionTable.TYPE.choice(o.getOrDefault("type", OptionTable.TYPE.defaultText()));
		Path folder = BundleLocator.standard().find(o.getOrDefault("model", BundleLocator.DEFAULT_MODEL));
		Bundles.Ref ref = Bundles.reference(folder, o.containsKey("shared-model"), o.getOrDefault("device", "auto"));
		Manifest m = Manifest.read(folder);
		m.denoiser(org.ldmfiji.task.LargeImageSampling.TASK); // a bundle without the tasks is refused before any work
		m.denoiser(org.ldmfiji.task.Inpainting.TASK);
		SampleJob.Job job = new SampleJob.Job(Paths.get(output).toAbsolutePath().toString(), width, height, block,
			integer(o, "chunk", block), integer(o, "context", OptionTable.CONTEXT.defaultInt()), integer(o, "band", 8),
			m.autoencoder.factor * m.denoiser(org.ldmfiji.task.LargeImageSampling.TASK).latentMultiple,
			Integer.parseInt(type.replace("-bit", "")), o.getOrDefault("label", OptionTable.LABEL.defaultText()),
			o.containsKey("guidance") ? Double.parseDouble(o.get("guidance")) : OptionTable.GUIDANCE.defaultNumber(),
			!o.containsKey("no-gap-fill"), o.getOrDefault("sampler", OptionTable.SAMPLER.defaultText()),
			integer(o, "steps", OptionTable.STEPS.defaultInt()),
			o.containsKey("seed") ? Long.parseLong(o.get("seed")) : OptionTable.SEED.defaultLong(),
			o.containsKey("eta") ? Double.parseDouble(o.get("eta")) : OptionTable.ETA.defaultNumber(),
			o.containsKey("strength") ? Double.parseDouble(o.get("strength")) : 1.0,
			o.getOrDefault("seam", OptionTable.SEAM.defaultText()), ref);
		out.println("ldm spark: " + SampleJob.describe(job));
		out.println("ldm spark: model " + m.name + " (" + folder + ", model.json SHA-256 " + ref.manifestSha256 + ")");
		try (JavaSparkContext jsc = context("sample", o)) {
			if (ref.sharedPath == null) Bundles.ship(jsc, folder);
			ProgressListener progress = new ProgressListener(err, jsc);
			jsc.sc().addSparkListener(progress);
			LongAccumulator opens = jsc.sc().longAccumulator("bundle opens");
			if (o.containsKey("dry-run")) {
				SampleJob.printPlan(out, jsc, job, folder);
				return 0;
			}
			long t0 = System.nanoTime();
			report(out, SampleJob.run(jsc, progress, job, opens, integer(o, "partitions", 0)), opens, t0, output);
		}
		return 0;
	}

	private static void report(PrintStream out, long[] r, LongAccumulator opens, long t0, String output) {
		out.println(String.format(Locale.ROOT, "ldm spark: %d unit(s) computed, %d skipped (finished by an earlier run); "
			+ "model opened %d time(s) on the executors; %.1f s; output %s", r[0], r[1], opens.value(),
			(System.nanoTime() - t0) / 1e9, output));
	}

	/**
	 * The Spark context: spark.master from spark-submit, else --master, else local[*,4] (failed tasks retried up to 4
	 * times); started without spark-submit on a cluster, this jar is shipped to the executors.
	 */
	static JavaSparkContext context(String task, Map<String, String> o) {
		SparkConf conf = new SparkConf().setAppName("ldm-spark " + task).setIfMissing("spark.task.maxFailures", "4");
		if (o.containsKey("master")) conf.setMaster(o.get("master"));
		else if (!conf.contains("spark.master")) conf.setMaster("local[*,4]");
		conf.setIfMissing("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Djava.awt.headless=true");
		// glibc's malloc for executors that a cluster's workers start, as ./ldm sets it for its own JVM (README
		// "Native memory between forwards"); spark.executorEnv.MALLOC_* or GLIBC_TUNABLES given to the job win
		Set<String> executorEnv = new HashSet<>();
		for (Tuple2<String, String> e : conf.getAllWithPrefix("spark.executorEnv.")) executorEnv.add(e._1());
		NativeAllocator.forExecutors(System.getenv(), executorEnv).forEach(conf::setExecutorEnv);
		String jar = appJar();
		if (!conf.get("spark.master").startsWith("local") && !conf.contains("spark.jars") && jar != null)
			conf.set("spark.jars", jar); // started without spark-submit (./ldm spark --master spark://...): ship this jar
		JavaSparkContext jsc = new JavaSparkContext(conf);
		jsc.setLogLevel(System.getProperty("ldm.spark.logLevel", "WARN"));
		return jsc;
	}

	/** The jar this class was loaded from, or null (classes folder). */
	static String appJar() {
		try {
			Path p = Paths.get(SparkMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p.toString() : null;
		}
		catch (Exception e) {
			return null;
		}
	}

	private static double[] range(String v) {
		String[] p = v.split(",");
		if (p.length != 2) throw new IllegalArgumentException("--range needs LO,HI, got '" + v + "'");
		double lo = Double.parseDouble(p[0].trim()), hi = Double.parseDouble(p[1].trim());
		if (!(hi > lo)) throw new IllegalArgumentException("--range needs LO < HI, got '" + v + "'");
		return new double[] {lo, hi};
	}

	/** One plane of a TIFF (8-, 16- or 32-bit) as a 2D Zarr array with the given chunks. */
	static int zarrImport(Map<String, String> o, PrintStream out) {
		String input = required(o, "input"), output = required(o, "output");
		ImagePlus imp = IJ.openImage(input);
		if (imp == null) throw new IllegalArgumentException("ImageJ cannot read " + input);
		ImageProcessor ip = imp.getProcessor();
		ZarrArray2D.Type t = ip.getBitDepth() == 8 ? ZarrArray2D.Type.U1 : ip.getBitDepth() == 16 ? ZarrArray2D.Type.U2
			: ip.getBitDepth() == 32 ? ZarrArray2D.Type.F4 : null;
		if (t == null) throw new IllegalArgumentException(input + " is RGB: import one channel (8-, 16- or 32-bit)");
		int chunk = integer(o, "chunk", 256), w = ip.getWidth(), h = ip.getHeight();
		if (Files.exists(Paths.get(output))) throw new IllegalArgumentException(output + " exists: remove it first");
		ZarrArray2D a = ZarrArray2D.create(output, h, w, chunk, chunk, t);
		float[] v = new float[w * h];
		for (int i = 0; i < v.length; i++) v[i] = ip.getf(i);
		a.writeAll(v);
		out.println("wrote " + output + " (" + w + "x" + h + " " + t + ", chunks " + chunk + ")");
		return 0;
	}

	/** A 2D Zarr array as a TIFF. */
	static int zarrExport(Map<String, String> o, PrintStream out) {
		String input = required(o, "input"), output = required(o, "output");
		ZarrArray2D a = ZarrArray2D.open(input);
		int h = a.height, w = a.width;
		float[] v = a.read(0, 0, h, w);
		ImageProcessor ip = a.type == ZarrArray2D.Type.U1 ? new ByteProcessor(w, h) : a.type == ZarrArray2D.Type.U2
			? new ShortProcessor(w, h) : new FloatProcessor(w, h);
		for (int i = 0; i < v.length; i++) ip.setf(i, v[i]);
		FolderJob.writeTiff(new ImagePlus(Paths.get(output).getFileName().toString(), ip), Paths.get(output));
		out.println("wrote " + output + " (" + w + "x" + h + ")");
		return 0;
	}

	/** Bytes of the files in a folder (the bundle an executor holds). */
	static long folderBytes(Path folder) {
		try (Stream<Path> s = Files.walk(folder)) {
			return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
		}
		catch (IOException e) {
			return 0;
		}
	}
}
