package org.ldmfiji.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real standalone Spark cluster on 127.0.0.1: a master (org.apache.spark.deploy.master.Master) and workers
 * (org.apache.spark.deploy.worker.Worker) in their own JVMs, as sbin/start-master.sh and start-worker.sh start them.
 * The workers start executors from SPARK_HOME/jars, so SPARK_HOME is a folder whose jars/ links Spark's jars (what
 * a Spark distribution holds); the application jar reaches the executors through spark.jars.
 */
final class StandaloneCluster implements AutoCloseable {

	final String url;
	/** SPARK_HOME: what a Spark distribution holds for the launcher and the workers (jars/). */
	final Path home;
	private final Process master;
	final List<Process> workers = new ArrayList<>();

	StandaloneCluster(Path dir, int workerCount, int coresEach) throws IOException, InterruptedException {
		home = dir.resolve("spark-home");
		Path jars = home.resolve("jars");
		Files.createDirectories(jars);
		if (!Files.exists(home.resolve("RELEASE"))) Files.writeString(home.resolve("RELEASE"), "Spark (the jars of the "
			+ "build's class path)\n"); // the launcher takes jars/ from a folder with a RELEASE file, as in a distribution
		for (String j : SparkApp.sparkJars()) {
			Path target = Path.of(j), link = jars.resolve(target.getFileName());
			if (!Files.exists(link)) Files.createSymbolicLink(link, target);
		}
		int port = freePort();
		url = "spark://127.0.0.1:" + port;
		master = start(home, dir.resolve("master.log"), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
			"--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
		waitForPort(port);
		for (int i = 0; i < workerCount; i++) {
			Path work = dir.resolve("worker" + i);
			Files.createDirectories(work);
			workers.add(start(home, dir.resolve("worker" + i + ".log"), "org.apache.spark.deploy.worker.Worker", "--host",
				"127.0.0.1", "--cores", Integer.toString(coresEach), "--memory", "2g", "--work-dir", work.toString(),
				"--webui-port", Integer.toString(freePort()), url));
		}
		Thread.sleep(3000); // the workers register with the master
	}

	private static Process start(Path home, Path log, String mainClass, String... args) throws IOException {
		ProcessBuilder pb = SparkApp.java(mainClass, List.of(args));
		pb.environment().put("SPARK_HOME", home.toString());
		pb.environment().put("SPARK_SCALA_VERSION", "2.12");
		return pb.redirectOutput(log.toFile()).start();
	}

	/** The executor JVMs the workers started (CoarseGrainedExecutorBackend children). */
	List<ProcessHandle> executors() {
		List<ProcessHandle> out = new ArrayList<>();
		for (Process w : workers)
			w.toHandle().descendants().filter(h -> h.info().commandLine().map(c -> c.contains("CoarseGrainedExecutorBackend"))
				.orElse(false)).forEach(out::add);
		return out;
	}

	Optional<ProcessHandle> anyExecutor() {
		return executors().stream().findFirst();
	}

	static int freePort() throws IOException {
		try (ServerSocket s = new ServerSocket(0)) {
			return s.getLocalPort();
		}
	}

	private static void waitForPort(int port) throws InterruptedException {
		for (int i = 0; i < 300; i++) {
			try (Socket s = new Socket("127.0.0.1", port)) {
				return;
			}
			catch (IOException e) {
				Thread.sleep(100);
			}
		}
		throw new IllegalStateException("the Spark master did not open port " + port + " within 30 s");
	}

	@Override
	public void close() {
		for (Process w : workers) {
			w.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
			w.destroyForcibly();
		}
		master.destroyForcibly();
	}
}
