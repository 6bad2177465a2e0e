package org.ldmfiji.model;

import ai.djl.Device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The bundles opened in this JVM (a Fiji session, the scripting service, the CLI), kept loaded between commands so
 * that a second command on the same model starts sampling at once (issue #19). A bundle is opened once per folder
 * and device; {@link #open} hands out the same {@link ModelBundle}, whose {@code close()} then only returns it. It is
 * opened again (and verified again) when a file of the bundle changed its size or modification time, and closed for
 * good on {@link #releaseIdle} (LDM Engine Info, or a run short of memory) once no command holds it.
 * <p>
 * The SHA-256 of each file is remembered with its size and modification time ({@link #verified}): a file is hashed
 * again only when one of them changed.
 */
public final class BundleCache {

	private static final BundleCache SHARED = new BundleCache();

	/** The cache of this JVM. */
	public static BundleCache shared() {
		return SHARED;
	}

	private final Map<String, Entry> entries = new HashMap<>();
	private final Map<Path, Hashed> hashes = new HashMap<>();

	/**
	 * The bundle in {@code folder} on {@code device}: the loaded one when its files are unchanged, else opened (and
	 * verified) now. Close it when done, as any bundle (try-with-resources): that hands it back to the cache.
	 */
	public synchronized ModelBundle open(Path folder, Device device) {
		Manifest manifest = Manifest.read(folder);
		String key = manifest.folder + "|" + device;
		Stamp stamp = Stamp.of(manifest);
		Entry e = entries.get(key);
		if (e != null && e.stamp.equals(stamp)) {
			e.users++;
			return e.bundle;
		}
		if (e != null) retire(key, e);
		ModelBundle bundle = new ModelBundle(manifest, device, this);
		entries.put(key, new Entry(bundle, stamp));
		entries.get(key).users = 1;
		return bundle;
	}

	/** Called by {@link ModelBundle#close} of a cached bundle: one user fewer; closed if it was retired meanwhile. */
	synchronized void handBack(ModelBundle bundle) {
		for (Map.Entry<String, Entry> me : entries.entrySet()) {
			Entry e = me.getValue();
			if (e.bundle == bundle) {
				e.users = Math.max(0, e.users - 1);
				return;
			}
		}
		// retired while in use: the last user closes it
		Entry r = retired.get(bundle);
		if (r != null && --r.users <= 0) {
			retired.remove(bundle);
			bundle.release();
		}
	}

	private final Map<ModelBundle, Entry> retired = new java.util.IdentityHashMap<>();

	private void retire(String key, Entry e) {
		entries.remove(key);
		if (e.users <= 0) e.bundle.release();
		else retired.put(e.bundle, e);
	}

	/**
	 * Closes every cached bundle no command holds now (their native memory is freed, and the C library hands the
	 * free memory it kept for the next forward back to the system, {@link TorchRuntime#returnFreeNativeMemory()}); the next
	 * command opens its model again (the files' hashes are still remembered).
	 *
	 * @return how many bundles were closed
	 */
	public synchronized int releaseIdle() {
		List<String> idle = new ArrayList<>();
		entries.forEach((k, e) -> {
			if (e.users <= 0) idle.add(k);
		});
		for (String k : idle) entries.remove(k).bundle.release();
		TorchRuntime.returnFreeNativeMemory();
		return idle.size();
	}

	/** The bundles loaded now (in use or idle). */
	public synchronized int size() {
		return entries.size();
	}

	/**
	 * Whether {@code file} has the SHA-256 {@code expected}; hashed only when it is new to this JVM or its size or
	 * modification time changed since it was last hashed.
	 */
	synchronized String sha256(Path file) throws IOException {
		BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
		Hashed h = hashes.get(file);
		if (h != null && h.size == a.size() && h.modified == a.lastModifiedTime().toMillis()) return h.sha256;
		String sha = Sha256.of(file);
		hashed++;
		hashes.put(file, new Hashed(a.size(), a.lastModifiedTime().toMillis(), sha));
		return sha;
	}

	private long hashed;

	/** How many files were hashed in this JVM so far. */
	public synchronized long filesHashed() {
		return hashed;
	}

	private static final class Entry {
		final ModelBundle bundle;
		final Stamp stamp;
		int users;

		Entry(ModelBundle bundle, Stamp stamp) {
			this.bundle = bundle;
			this.stamp = stamp;
		}
	}

	private static final class Hashed {
		final long size, modified;
		final String sha256;

		Hashed(long size, long modified, String sha256) {
			this.size = size;
			this.modified = modified;
			this.sha256 = sha256;
		}
	}

	/** Size and modification time of model.json and every file it names: what says a bundle changed on disk. */
	private static final class Stamp {
		private final List<Object> values;

		private Stamp(List<Object> values) {
			this.values = values;
		}

		static Stamp of(Manifest m) {
			List<Object> v = new ArrayList<>();
			List<Path> files = new ArrayList<>();
			files.add(m.folder.resolve(Manifest.FILE_NAME));
			for (Manifest.FileRef ref : ModelBundle.files(m)) files.add(m.path(ref));
			for (Path p : files) {
				try {
					BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
					v.add(p.toString());
					v.add(a.size());
					v.add(a.lastModifiedTime().toMillis());
				}
				catch (IOException e) {
					throw new BundleException("cannot read " + p + ": " + e.getMessage() + "; check that the bundle folder "
						+ "is readable", e);
				}
			}
			return new Stamp(v);
		}

		@Override
		public boolean equals(Object o) {
			return o instanceof Stamp && values.equals(((Stamp) o).values);
		}

		@Override
		public int hashCode() {
			return Objects.hash(values);
		}
	}
}
