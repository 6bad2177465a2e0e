package org.ldmfiji.model;

import java.io.File;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides, before DJL's engine starts, which libtorch it loads, and explains the choice. DJL 0.36 takes
 * {@code PYTORCH_LIBRARY_PATH} first, else a {@code pytorch-native-*} jar on the class path (the update site ships the
 * CPU one, which then wins over CUDA), else downloads the highest {@code cuNNN} flavour not newer than the CUDA runtime
 * it finds through {@code libcudart} (none found: the CPU). So a machine with an NVIDIA driver and a CUDA libtorch
 * holding DJL's JNI glue (DJL's cache after one CUDA download, or a folder the user names) gets it here: the plugin sets
 * DJL's {@code PYTORCH_LIBRARY_PATH} and {@code PYTORCH_FLAVOR} system properties to it, and adds the folders of the
 * CUDA runtime found to {@code jna.library.path}, where DJL looks for {@code libcudart} to count GPUs.
 * {@code -Dldm.gpu.setup=false} leaves DJL to its own choice.
 */
public final class GpuSetup {

	/** The system property that turns the plugin's choice off ({@code false}). */
	public static final String SWITCH = "ldm.gpu.setup";

	/** DJL system properties to set before the engine starts (empty: DJL's own choice stands). */
	public final Map<String, String> properties;
	/** Why DJL ends up with the flavour it picks. */
	public final String reason;
	/** The step that turns the GPU on (empty when nothing is left to do). */
	public final String step;
	/** Whether this choice should give DJL a CUDA libtorch. */
	public final boolean cudaExpected;

	private GpuSetup(Map<String, String> properties, String reason, String step, boolean cudaExpected) {
		this.properties = Collections.unmodifiableMap(properties);
		this.reason = reason;
		this.step = step;
		this.cudaExpected = cudaExpected;
	}

	/**
	 * The decision for a machine.
	 *
	 * @param probe the machine's driver, CUDA runtime and CUDA libtorch folders
	 * @param cpuJarOnClassPath whether a {@code pytorch-native-cpu} jar is visible to DJL
	 * @param userFlavor {@code PYTORCH_FLAVOR} as set by the user, or null
	 * @param jnaPath {@code jna.library.path} as set, or null
	 */
	public static GpuSetup decide(CudaProbe probe, boolean cpuJarOnClassPath, String userFlavor, String jnaPath) {
		Map<String, String> props = new LinkedHashMap<>();
		String os = probe.windows ? "Windows" : "Linux";
		String cache = probe.djlCache.resolve(probe.windows ? "2.7.1-cu128-win-x86_64" : "2.7.1-cu128-linux-x86_64")
			.toString();
		String jni = probe.windows ? "djl_torch.dll" : "libdjl_torch.so";
		String libPathVar = probe.windows ? "PATH" : "LD_LIBRARY_PATH";
		Optional<String> driver = probe.driver();
		if (driver.isEmpty())
			return new GpuSetup(props, "no NVIDIA driver found (" + (probe.windows ? "no nvcuda.dll"
				: "no /proc/driver/nvidia/version") + ", no nvidia-smi)", "this machine shows no NVIDIA GPU: install the "
					+ "NVIDIA driver (" + os + ") so that nvidia-smi lists the card, then run LDM Engine Info again", false);
		List<CudaProbe.Libtorch> cuda = probe.cudaLibtorch();
		String userPath = probe.env.get("PYTORCH_LIBRARY_PATH");
		if (userPath != null && !userPath.isEmpty()) {
			boolean usable = cuda.stream().anyMatch(l -> l.hasJni && userPath.contains(l.dir.toString()));
			if (usable) return new GpuSetup(props, "PYTORCH_LIBRARY_PATH names a CUDA libtorch with DJL's JNI glue", "",
				true);
			return new GpuSetup(props, "PYTORCH_LIBRARY_PATH=" + userPath + " is not a CUDA libtorch with DJL's JNI glue",
				"point PYTORCH_LIBRARY_PATH at a folder holding libtorch_cuda and " + jni + " (README, 'GPU')", false);
		}
		Optional<CudaProbe.Libtorch> usable = cuda.stream().filter(l -> l.hasJni).findFirst();
		if (usable.isPresent()) {
			CudaProbe.Libtorch lib = usable.get();
			props.put("PYTORCH_LIBRARY_PATH", lib.dir.toString());
			if (userFlavor == null || userFlavor.isEmpty()) props.put("PYTORCH_FLAVOR", lib.flavor);
			Set<String> jna = new LinkedHashSet<>();
			if (jnaPath != null && !jnaPath.isEmpty()) jna.add(jnaPath);
			probe.cudaRuntimes().stream().map(Path::getParent).map(Path::toString).forEach(jna::add);
			if (!jna.isEmpty()) props.put("jna.library.path", String.join(File.pathSeparator, jna));
			String over = cpuJarOnClassPath ? " over the pytorch-native-cpu jar on the class path" : "";
			return new GpuSetup(props, "the plugin chose the CUDA libtorch " + lib.dir + over, "", true);
		}
		String unusable = cuda.isEmpty() ? "" : " (" + cuda.stream().map(Object::toString).collect(Collectors.joining("; "))
			+ ")";
		if (cpuJarOnClassPath)
			return new GpuSetup(props, "the pytorch-native-cpu jar on the class path wins over CUDA and no CUDA "
				+ "libtorch with DJL's JNI glue was found" + unusable, "fetch DJL's CUDA libtorch once: start online with "
					+ "PYTORCH_FLAVOR=cu128 and the pytorch-native-cpu jar moved out of the class path (" + (probe.windows
						? "Fiji.app\\jars\\win64" : "Fiji.app/jars/linux64") + "); DJL puts it in " + cache + " and the "
					+ "plugin prefers it from then on, jar or not; or set PYTORCH_LIBRARY_PATH to the lib folder of a "
					+ "libtorch 2.7.1 cu128 build (README, 'GPU')", false);
		if (!probe.hasCudaRuntime())
			return new GpuSetup(props, "no CUDA runtime library (libcudart) found, so DJL sees no GPU" + unusable,
				"set PYTORCH_FLAVOR=cu128 (DJL downloads its CUDA libtorch once, online), or install the CUDA 12.8 runtime "
					+ "and put its library folder on " + libPathVar, false);
		if (userFlavor != null && userFlavor.startsWith("cpu"))
			return new GpuSetup(props, "PYTORCH_FLAVOR=" + userFlavor, "unset PYTORCH_FLAVOR or set it to cu128", false);
		return new GpuSetup(props, "DJL picks the highest cuNNN flavour not newer than the CUDA runtime found (its log "
			+ "says 'No matching cuda flavor' when none fits)", "if the engine still reports 0 GPUs: set PYTORCH_FLAVOR=cu128",
			true);
	}

	/** Sets the chosen properties that are not set yet (a user's own -D wins). */
	public void apply() {
		for (Map.Entry<String, String> e : properties.entrySet())
			if (System.getProperty(e.getKey()) == null || "jna.library.path".equals(e.getKey()))
				System.setProperty(e.getKey(), e.getValue());
	}
}
