package org.ldmfiji.spark;

import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.TorchRuntime;
import org.ldmfiji.task.LatentDiffusion;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.SparkFiles;

/**
 * The model bundle on the executors: shipped with the job (SparkContext.addFile of the bundle folder) or read from
 * a path all machines share, verified there against the SHA-256 of the driver's model.json (which in turn lists the
 * SHA-256 of every TorchScript part, checked by ModelBundle.open), and opened once per executor JVM: a static cache
 * keyed by that hash, so every task of the JVM runs on the same opened bundle (LatentDiffusion serialises calls).
 */
final class Bundles {

	/** Where an executor finds the bundle and what its model.json must hash to. */
	static final class Ref implements Serializable {
		private static final long serialVersionUID = 1L;
		/** A path every executor can read, or null: the bundle's files were shipped with addFile ({@link Bundles#ship}). */
		final String sharedPath;
		final String shippedName;
		final String manifestSha256;
		final String device;

		Ref(String sharedPath, String shippedName, String manifestSha256, String device) {
			this.sharedPath = sharedPath;
			this.shippedName = shippedName;
			this.manifestSha256 = manifestSha256;
			this.device = device;
		}
	}

	private static final Map<String, LatentDiffusion> OPEN = new ConcurrentHashMap<>();
	/** Bundles this JVM opened (a test reads it through the job's accumulator). */
	static final AtomicInteger OPENS = new AtomicInteger();

	private Bundles() {}

	/** The opened bundle of this JVM for the reference; the first call opens and verifies it. */
	static LatentDiffusion get(Ref ref) {
		return OPEN.computeIfAbsent(ref.manifestSha256 + "@" + ref.device, k -> open(ref));
	}

	/** Whether this JVM has already opened the bundle (for the open counter). */
	static boolean isOpen(Ref ref) {
		return OPEN.containsKey(ref.manifestSha256 + "@" + ref.device);
	}

	/** The bundle folder on this machine (the shared path, or the folder of the files Spark shipped). */
	static Path folder(Ref ref) {
		return ref.sharedPath != null ? Paths.get(ref.sharedPath) : Paths.get(SparkFiles.get("model.json")).getParent();
	}

	/**
	 * Ships the bundle's files with the job (SparkContext.addFile; a cluster takes files, not folders): every executor
	 * finds them in its SparkFiles folder. A bundle's parts lie next to its model.json.
	 */
	static void ship(org.apache.spark.api.java.JavaSparkContext jsc, Path folder) {
		try (java.util.stream.Stream<Path> files = Files.list(folder)) {
			files.filter(Files::isRegularFile).forEach(f -> jsc.sc().addFile(f.toAbsolutePath().toString()));
		}
		catch (IOException e) {
			throw new IllegalArgumentException("cannot list the model bundle " + folder + ": " + e.getMessage(), e);
		}
	}

	/** The manifest alone (no model opened). */
	static Manifest manifest(Ref ref) {
		return Manifest.read(folder(ref));
	}

	private static LatentDiffusion open(Ref ref) {
		Path folder = folder(ref);
		String actual = Hashes.sha256(folder.resolve("model.json"));
		if (!actual.equals(ref.manifestSha256)) throw new IllegalStateException("the model bundle at " + folder
			+ " on this executor has model.json SHA-256 " + actual + ", the driver's has " + ref.manifestSha256
			+ ": give every machine the same bundle (or let the job ship it: leave out --shared-model)");
		OPENS.incrementAndGet();
		return new LatentDiffusion(ModelBundle.open(folder, TorchRuntime.device(TorchRuntime.DevicePreference.parse(ref.device))));
	}

	/** The reference for a bundle folder on the driver. */
	static Ref reference(Path folder, boolean shared, String device) {
		if (!Files.isRegularFile(folder.resolve("model.json"))) throw new IllegalArgumentException("no model.json in "
			+ folder + ": give a model bundle folder with --model");
		try {
			folder = folder.toRealPath();
		}
		catch (IOException e) {
			throw new IllegalArgumentException("cannot read " + folder + ": " + e.getMessage(), e);
		}
		return new Ref(shared ? folder.toString() : null, folder.getFileName().toString(),
			Hashes.sha256(folder.resolve("model.json")), device);
	}
}
