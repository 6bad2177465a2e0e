package org.ldmfiji.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;

import java.util.Locale;

/**
 * Start-up of DJL's PyTorch engine in a way that works inside Fiji: DJL finds its engine with
 * {@link java.util.ServiceLoader} on the thread context class loader, so the plugin's own loader is set
 * around the first call (with the update site's native jar added where plain ImageJ 1.x does not see it,
 * {@link NativeJars}). Also picks the device and turns off TorchScript's profiling graph executor,
 * whose first calls on every new input shape are slow (DJL option {@code ai.djl.pytorch.graph_optimizer}).
 */
public final class TorchRuntime {

	/** Which device a run uses. */
	public enum DevicePreference {
		AUTO, CPU, GPU;

		/** Parses "auto", "cpu" or "gpu" (case-insensitive). */
		public static DevicePreference parse(String s) {
			try {
				return valueOf(s.trim().toUpperCase(Locale.ROOT));
			}
			catch (IllegalArgumentException e) {
				throw new IllegalArgumentException("unknown device '" + s + "': use auto, cpu or gpu");
			}
		}
	}

	public static final String ENGINE = "PyTorch";

	/** The system property holding the session's device preference (auto, cpu, gpu); LDM Engine Info sets it. */
	public static final String DEVICE_PROPERTY = "ldm.device";

	private static Engine engine;
	private static GpuSetup gpuSetup;

	private TorchRuntime() {}

	/**
	 * libtorch's per-convolution NNPACK warning silenced ({@link NativeLogLevel}, through JNA); plain ImageJ 1.x has
	 * no JNA, and there the warning stays rather than the engine failing.
	 */
	private static void quietNativeLog() {
		try {
			NativeLogLevel.apply(LibUtils.getLibtorchPath());
		}
		catch (LinkageError e) {
			// no JNA on the class path
		}
	}

	/**
	 * Hands the free native memory the C library keeps between forwards back to the system ({@link NativeAllocator}):
	 * before a memory measurement, so that what the work needs shows as growth of the resident set.
	 */
	public static void returnFreeNativeMemory() {
		try {
			NativeAllocator.giveBack();
		}
		catch (LinkageError e) {
			// no JNA on the class path: nothing was kept
		}
	}

	/**
	 * Turns oneDNN off for this process because {@code cause}, a CPU part's convolution, is one it computes wrongly
	 * ({@link OneDnnPadding}); refuses the part where oneDNN cannot be turned off. Remembered for Engine Info.
	 */
	static synchronized void avoidOneDnn(String cause) {
		boolean off;
		try {
			off = OneDnnPadding.setEnabled(LibUtils.getLibtorchPath(), false);
		}
		catch (LinkageError e) {
			off = false; // no JNA on the class path
		}
		if (!off) throw new BundleException(cause + " is a convolution that libtorch's oneDNN computes wrongly on the "
			+ "CPU, and oneDNN cannot be turned off here: pad the bundle with models/pad_input_channels.py (or "
			+ "re-export it), or run it on the GPU");
		oneDnnOff = cause;
	}

	private static String oneDnnOff;

	/** Whether a part made {@link #avoidOneDnn} turn oneDNN off in this process. */
	public static synchronized boolean oneDnnOff() {
		return oneDnnOff != null;
	}

	/** Which convolutions libtorch runs on the CPU, and why (Engine Info). */
	public static synchronized String cpuConvolutions() {
		return oneDnnOff == null ? "oneDNN" : "libtorch's own, about twice as slow: oneDNN is off because it computes "
			+ oneDnnOff + " wrongly (pad the bundle with models/pad_input_channels.py)";
	}

	/** glibc's malloc kept from returning libtorch's buffers between forwards ({@link NativeAllocator}). */
	private static boolean keepNativeMemory() {
		try {
			return NativeAllocator.apply();
		}
		catch (LinkageError e) {
			return false; // no JNA on the class path
		}
	}

	/** The PyTorch engine, started once with the plugin's class loader as context loader. */
	public static synchronized Engine engine() {
		if (engine != null) return engine;
		setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
		setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
		setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		ClassLoader loader = NativeJars.engineLoader(TorchRuntime.class.getClassLoader());
		gpuSetup = GpuSetup.decide(CudaProbe.system(), NativeJars.cpuJarVisible(loader), flavorSetting(),
			System.getProperty("jna.library.path"));
		if (!"false".equals(System.getProperty(GpuSetup.SWITCH))) gpuSetup.apply();
		thread.setContextClassLoader(loader);
		try {
			engine = Engine.getEngine(ENGINE);
			quietNativeLog();
			keepNativeMemory();
		}
		catch (RuntimeException | UnsatisfiedLinkError e) {
			throw new IllegalStateException("cannot start DJL's PyTorch engine (" + e.getMessage() + "). The native "
				+ "PyTorch library comes from a pytorch-native-cpu jar on the class path or from DJL's cache "
				+ "(~/.djl.ai); offline runs need the jar (see README, 'Native PyTorch').", e);
		}
		finally {
			thread.setContextClassLoader(previous);
		}
		return engine;
	}

	private static String flavorSetting() {
		String env = System.getenv("PYTORCH_FLAVOR");
		return env != null ? env : System.getProperty("PYTORCH_FLAVOR");
	}

	/** The choice of libtorch made before the engine started, with its reason and the step that enables the GPU. */
	public static synchronized GpuSetup gpuSetup() {
		engine();
		return gpuSetup;
	}

	/**
	 * GPUs the engine can use. DJL counts them through {@code libcudart} (JNA); a CUDA libtorch chosen by
	 * {@link GpuSetup} on a machine with a driver but no separate CUDA runtime (DJL's CUDA bundle renames its own
	 * {@code libcudart}) counts as one GPU when libtorch itself was built with CUDA.
	 */
	public static int gpuCount() {
		Engine e = engine();
		int gpus = e.getGpuCount();
		if (gpus == 0 && gpuSetup != null && gpuSetup.cudaExpected
			&& e.hasCapability(ai.djl.engine.StandardCapabilities.CUDA)) return 1;
		return gpus;
	}

	/**
	 * The device for a preference: the first GPU when DJL reports CUDA (for AUTO and GPU), else the CPU.
	 * Asking for a GPU where there is none is an error that says so.
	 */
	public static Device device(DevicePreference preference) {
		int gpus = gpuCount();
		switch (preference) {
			case CPU:
				return Device.cpu();
			case GPU:
				if (gpus == 0) throw new IllegalStateException("no CUDA GPU is visible to DJL's PyTorch engine ("
					+ gpuSetup.reason + "): " + (gpuSetup.step.isEmpty() ? "" : gpuSetup.step + ", or ") + "use --device "
					+ "cpu or auto");
				return Device.gpu();
			default:
				return gpus > 0 ? Device.gpu() : Device.cpu();
		}
	}

	/** The session's preference: {@code -Dldm.device=auto|cpu|gpu}, auto when unset. */
	public static DevicePreference preference() {
		return DevicePreference.parse(System.getProperty(DEVICE_PROPERTY, "auto"));
	}

	/** Sets the session's preference (e.g. to force the CPU in Fiji). */
	public static void setPreference(DevicePreference preference) {
		System.setProperty(DEVICE_PROPERTY, preference.name().toLowerCase(Locale.ROOT));
	}

	/**
	 * Prepares the calling thread for inference: libtorch keeps the graph-executor switch per thread, so every
	 * thread that runs a TorchScript forward calls this first.
	 */
	public static void prepareThread() {
		engine();
		JniUtils.setGraphExecutorOptimize(Boolean.parseBoolean(System.getProperty("ai.djl.pytorch.graph_optimizer")));
	}

	/** One line: engine name, version, GPU count. */
	public static String describe() {
		Engine e = engine();
		return e.getEngineName() + " " + e.getVersion() + ", " + gpuCount() + " GPU(s), threads "
			+ JniUtils.getNumThreads();
	}

	private static void setIfAbsent(String key, String value) {
		if (System.getProperty(key) == null) System.setProperty(key, value);
	}
}
