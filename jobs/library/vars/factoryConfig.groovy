// Trusted library step: re-applies the JCasC file Jenkins was started with
// (CASC_JENKINS_CONFIG, in the controller's clone of the jobs repository). Its `jobs:`
// section queues the seed, so jobs follow too.
import io.jenkins.plugins.casc.ConfigurationAsCode

@NonCPS
def reload() {
    ConfigurationAsCode.get().configure()
}
