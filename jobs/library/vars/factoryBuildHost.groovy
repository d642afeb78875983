// Trusted library step (global library "factory", jobs/library/ of the jobs repository):
// registers a build host as a one-executor SSH agent and removes it again. The
// openstack-cloud plugin is unmaintained, so the pipeline does this itself.
import hudson.model.Node
import hudson.plugins.sshslaves.SSHLauncher
import hudson.plugins.sshslaves.verifiers.ManuallyProvidedKeyVerificationStrategy
import hudson.slaves.DumbSlave
import hudson.slaves.RetentionStrategy
import jenkins.model.Jenkins

/**
 * name: node name and label (the build host's name), address: its IP,
 * hostKey: "<type> <base64>" as stage 3 pinned it, remoteFs: agent directory (stage 3
 * prints the model's, roles.buildHost.paths.agentDir).
 */
@NonCPS
def add(Map args) {
    if (!args.remoteFs) {
        throw new IllegalArgumentException('factoryBuildHost.add: remoteFs (the agent directory) is required')
    }
    def launcher = new SSHLauncher(args.address as String, 22, 'build-host-ssh')
    // Only the key stage 3 took from this server's console log (Nova) is accepted: no trust on first use.
    launcher.sshHostKeyVerificationStrategy = new ManuallyProvidedKeyVerificationStrategy(args.hostKey as String)
    launcher.launchTimeoutSeconds = 120
    launcher.maxNumRetries = 10
    launcher.retryWaitTime = 15
    def agent = new DumbSlave(args.name as String, args.remoteFs as String, launcher)
    agent.nodeDescription = "Build host of ${args.buildId ?: args.name}"
    agent.numExecutors = 1
    agent.labelString = args.name as String
    agent.mode = Node.Mode.EXCLUSIVE
    agent.retentionStrategy = new RetentionStrategy.Always()
    Jenkins.get().addNode(agent)
}

@NonCPS
boolean isOnline(String name) {
    def computer = Jenkins.get().getComputer(name)
    return computer != null && computer.online
}

/** The names of the controller's agents (the reaper removes those whose build host is gone). */
@NonCPS
List<String> names() {
    return Jenkins.get().nodes.collect { it.nodeName }
}

@NonCPS
def remove(String name) {
    def node = Jenkins.get().getNode(name)
    if (node != null) {
        Jenkins.get().removeNode(node)
    }
}
