package org.ldmfiji.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What this machine offers a GPU run, read without starting DJL: the NVIDIA driver ({@code /proc/driver/nvidia/version}
 * on Linux, {@code nvcuda.dll} on Windows, else {@code nvidia-smi}), the CUDA runtime libraries on the library path and
 * in the standard folders ({@code libcudart}, {@code libcublas}; DJL finds CUDA through {@code libcudart} alone), and
 * CUDA builds of libtorch that DJL can load ({@code PYTORCH_LIBRARY_PATH}, DJL's cache folders
 * {@code <version>-cuNNN[-precxx11]-<os>-<arch>}). Every source is injected, so the logic runs in tests on fake folders.
 */
public final class CudaProbe {

	/**
	 * A CUDA libtorch folder: {@code flavor} as DJL names it (e.g. {@code cu128}); {@code hasJni}: DJL can bind it,
	 * with DJL's JNI glue in the folder, or as {@code cu128}, whose glue the {@code pytorch-jni} jar carries.
	 */
	public static final class Libtorch {
		public final Path dir;
		public final String flavor;
		public final boolean hasJni;

		Libtorch(Path dir, String flavor, boolean hasJni) {
			this.dir = dir;
			this.flavor = flavor;
			this.hasJni = hasJni;
		}

		@Override
		public String toString() {
			return dir + " (" + flavor + (hasJni ? "" : ", no libdjl_torch and not cu128: DJL cannot use it") + ")";
		}
	}

	/** The CUDA flavour whose JNI glue the {@code pytorch-jni} jar (on the update site) carries. */
	static final String JNI_JAR_FLAVOR = "cu128";

	private static final Pattern DRIVER = Pattern.compile("Kernel Module\\s+(\\d+(\\.\\d+)+)");
	private static final Pattern CACHE_FOLDER = Pattern.compile("[\\d.]+(?:-\\d+)?-(cu\\d{3}(-precxx11)?)-(linux|win)-.+");

	final boolean windows;
	final Path root;
	final Map<String, String> env;
	final Path djlCache;
	final Supplier<Optional<String>> smi;

	/**
	 * @param windows Windows naming (dll) or Linux (so)
	 * @param root the file system root ({@code /} or {@code C:\}; a temp folder in tests)
	 * @param env the environment (PATH, LD_LIBRARY_PATH, CUDA_PATH, PYTORCH_LIBRARY_PATH)
	 * @param djlCache DJL's PyTorch cache folder ({@code ~/.djl.ai/pytorch})
	 * @param smi what {@code nvidia-smi} says of the card and driver, empty when it is absent
	 */
	CudaProbe(boolean windows, Path root, Map<String, String> env, Path djlCache, Supplier<Optional<String>> smi) {
		this.windows = windows;
		this.root = root;
		this.env = env;
		this.djlCache = djlCache;
		this.smi = smi;
	}

	/** This machine's probe. */
	public static CudaProbe system() {
		boolean win = System.getProperty("os.name", "").startsWith("Win");
		Path root = win ? Paths.get(System.getenv().getOrDefault("SystemDrive", "C:") + "\\") : Paths.get("/");
		return new CudaProbe(win, root, System.getenv(), djlCacheFolder(), CudaProbe::nvidiaSmi);
	}

	/** DJL's engine cache for PyTorch, as {@code ai.djl.util.Utils.getEngineCacheDir("pytorch")} resolves it. */
	static Path djlCacheFolder() {
		String engineCache = firstSet("ENGINE_CACHE_DIR");
		if (engineCache != null) return Paths.get(engineCache, "pytorch");
		String cache = firstSet("DJL_CACHE_DIR");
		Path base = cache != null ? Paths.get(cache) : Paths.get(System.getProperty("user.home"), ".djl.ai");
		return base.resolve("pytorch");
	}

	private static String firstSet(String name) {
		String v = System.getenv(name);
		return v != null ? v : System.getProperty(name);
	}

	/** The NVIDIA driver: version and where it was read, or empty. */
	public Optional<String> driver() {
		if (!windows) {
			Path version = root.resolve("proc/driver/nvidia/version");
			if (Files.isRegularFile(version)) {
				try {
					Matcher m = DRIVER.matcher(Files.readString(version, StandardCharsets.UTF_8));
					return Optional.of((m.find() ? m.group(1) : "unknown version") + " (" + version + ")");
				}
				catch (IOException e) {
					return Optional.of("unreadable version (" + version + ")");
				}
			}
		}
		else {
			Path nvcuda = root.resolve("Windows/System32/nvcuda.dll");
			if (Files.isRegularFile(nvcuda)) return Optional.of("found (" + nvcuda + ")");
		}
		return smi.get().map(s -> s + " (nvidia-smi)");
	}

	/** Folders searched for CUDA runtime libraries: the library path first, then the standard install folders. */
	public List<Path> libraryFolders() {
		Set<Path> folders = new LinkedHashSet<>();
		String sep = windows ? ";" : ":";
		if (windows) {
			String cuda = env.get("CUDA_PATH");
			if (cuda != null) folders.add(Paths.get(cuda, "bin"));
			split(env.get("PATH"), sep).forEach(folders::add);
		}
		else {
			split(env.get("LD_LIBRARY_PATH"), sep).forEach(folders::add);
			String cuda = env.get("CUDA_HOME");
			if (cuda != null) folders.add(Paths.get(cuda, "lib64"));
			for (String s : new String[] {"usr/local/cuda/lib64", "usr/local/cuda/targets/x86_64-linux/lib",
				"usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/lib", "usr/local/nvidia/lib64"})
				folders.add(root.resolve(s));
		}
		Set<Path> real = new LinkedHashSet<>();
		for (Path f : folders) {
			try {
				real.add(f.toRealPath());
			}
			catch (IOException e) {
				// missing folder: nothing to search there
			}
		}
		return new ArrayList<>(real);
	}

	private static Stream<Path> split(String list, String sep) {
		if (list == null || list.isEmpty()) return Stream.empty();
		return Stream.of(list.split(sep)).filter(s -> !s.isEmpty()).map(Paths::get);
	}

	/** CUDA runtime libraries found: {@code libcudart}/{@code libcublas} (Linux), {@code cudart64_*}/{@code cublas64_*}. */
	public List<Path> cudaRuntimes() {
		Pattern lib = windows ? Pattern.compile("(cudart|cublas)64_\\d+\\.dll", Pattern.CASE_INSENSITIVE)
			: Pattern.compile("lib(cudart|cublas)\\.so(\\.\\d+)*");
		List<Path> found = new ArrayList<>();
		for (Path folder : libraryFolders()) {
			if (!Files.isDirectory(folder)) continue;
			try (Stream<Path> files = Files.list(folder)) {
				files.filter(f -> lib.matcher(f.getFileName().toString()).matches()).sorted().forEach(found::add);
			}
			catch (IOException e) {
				// unreadable folder: nothing found there
			}
		}
		return found;
	}

	/** Whether a {@code libcudart} is among {@link #cudaRuntimes()}: DJL detects CUDA only through it. */
	public boolean hasCudaRuntime() {
		return cudaRuntimes().stream().anyMatch(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).contains("cudart"));
	}

	/** CUDA libtorch folders: those of {@code PYTORCH_LIBRARY_PATH}, then DJL's cache, newest CUDA flavour first. */
	public List<Libtorch> cudaLibtorch() {
		List<Libtorch> found = new ArrayList<>();
		split(env.get("PYTORCH_LIBRARY_PATH"), windows ? ";" : ":").map(d -> libtorch(d, "cu")).flatMap(Optional::stream)
			.forEach(found::add);
		if (Files.isDirectory(djlCache)) {
			try (Stream<Path> dirs = Files.list(djlCache)) {
				List<Libtorch> cached = dirs.map(d -> {
					Matcher m = CACHE_FOLDER.matcher(d.getFileName().toString());
					return m.matches() ? libtorch(d, m.group(1)) : Optional.<Libtorch>empty();
				}).flatMap(Optional::stream).sorted((a, b) -> b.flavor.compareTo(a.flavor)).collect(Collectors.toList());
				found.addAll(cached);
			}
			catch (IOException e) {
				// unreadable cache: nothing found there
			}
		}
		return found;
	}

	private Optional<Libtorch> libtorch(Path dir, String flavor) {
		String torch = windows ? "torch.dll" : "libtorch.so";
		String torchCuda = windows ? "torch_cuda.dll" : "libtorch_cuda.so";
		String jni = windows ? "djl_torch.dll" : "libdjl_torch.so";
		if (!Files.isRegularFile(dir.resolve(torch)) || !Files.isRegularFile(dir.resolve(torchCuda))) return Optional.empty();
		boolean hasJni;
		try (Stream<Path> files = Files.list(dir)) {
			hasJni = files.anyMatch(f -> f.getFileName().toString().endsWith(jni));
		}
		catch (IOException e) {
			hasJni = false;
		}
		return Optional.of(new Libtorch(dir, flavor, hasJni || flavor.startsWith(JNI_JAR_FLAVOR)));
	}

	/** {@code nvidia-smi}'s card name and driver version, empty when it is not on the PATH or fails. */
	static Optional<String> nvidiaSmi() {
		try {
			Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader")
				.redirectErrorStream(true).start();
			if (!p.waitFor(5, TimeUnit.SECONDS)) {
				p.destroyForcibly();
				return Optional.empty();
			}
			String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			return p.exitValue() == 0 && !out.isEmpty() ? Optional.of(out.lines().findFirst().orElse(out)) : Optional.empty();
		}
		catch (IOException e) {
			return Optional.empty();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}
}
