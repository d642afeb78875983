// Job DSL seed: creates every job of the factory from the environment file
// environments/${FACTORY_ENV}.yaml of the jobs repository (the seed job's checkout), as
// resolved by `factory templates` into jobs/build-hosts/${FACTORY_ENV}/factory.json (the
// schema's defaults applied: nothing is defaulted here).
// Jobs not created here are deleted by the seed (removeAction DELETE).
import groovy.json.JsonSlurper

String setting(String name, String fallback = null) {
    String value = binding.variables.containsKey(name) ? binding.variables.get(name) : System.getenv(name)
    if (!value && fallback == null) {
        throw new IllegalStateException("${name} is not set in Jenkins' environment (the first boot sets it)")
    }
    return value ?: fallback
}

String envName = setting('FACTORY_ENV')
String envPath = "environments/${envName}.yaml"
Map environment = new JsonSlurper().parseText(readFileFromWorkspace("jobs/build-hosts/${envName}/factory.json")).environment as Map
String repoUrl = setting('FACTORY_JOBS_REPO_URL')
String repoBranch = setting('FACTORY_JOBS_REPO_BRANCH', environment.jenkins.jobsRepo.branch as String)
// The first boot decides it (jobs-repo-deploy-key for ssh URLs, none otherwise), as for JCasC.
String repoCredentials = setting('FACTORY_JOBS_REPO_CREDENTIALS', '')
String region = setting('FACTORY_REGION')

List<String> templates = environment.buildHosts.templates.collect { it.name as String }
List<String> uploadRegions = environment.uploadRegions.collect { it as String }
List<Map> images = environment.images as List<Map>
List<String> imageNames = images.collect { it.name as String }

// Every pipeline is a Jenkinsfile in the jobs repository, read at each run: a change
// merged to the branch applies to the next build without re-seeding.
Closure fromRepo = { String path ->
    return {
        cpsScm {
            scm {
                git {
                    remote {
                        url(repoUrl)
                        if (repoCredentials) {
                            credentials(repoCredentials)
                        }
                    }
                    branch(repoBranch)
                }
            }
            scriptPath(path)
            lightweight(true)
        }
    }
}

// The image-build parameters; `image` fixes the defaults of one catalogue entry.
Closure buildParameters = { Map image ->
    return {
        choiceParam('IMAGE', image ? [image.name as String] : imageNames,
            "Image to build: an entry of the image catalogue (${envPath}, images)")
        stringParam('DEFINITION', '',
            "Image definition (KIWI description or DIB element set) in the jobs repository; empty: the catalogue's${image ? ' (' + image.definition + ')' : ''}")
        choiceParam('TEMPLATE', [''] + templates,
            "Build-host template (buildHosts.templates); empty: the catalogue's${image ? ' (' + image.template + ')' : ''}")
        stringParam('REGIONS', '',
            "Regions to upload to besides ${region}, space-separated; empty: the catalogue's (default uploadRegions: ${uploadRegions.join(' ') ?: 'none'})")
        booleanParam('KEEP_BUILD_HOST', false,
            "Keep the build host after the build (for debugging); the reaper leaves it alone until someone destroys it")
        booleanParam('PUBLISH', false,
            'Publish right away as <name>_latest (rotating _latest to _prev); otherwise only a publish request is recorded')
        booleanParam('SKIP_UNCHANGED', false,
            'Stop without building when the image definition is unchanged since the last build')
        stringParam('NOTIFY', '',
            "More e-mail addresses for the result mail; it always goes to the image's owner (catalogue owner${image?.owner ? ': ' + image.owner : ''}) and the requester, the team in CC")
    }
}

Closure imageBuildJob = { String jobName, Map image ->
    pipelineJob(jobName) {
        description(image
            ? "Builds ${image.name} (${image.tooling}, ${image.definition}) on a ${image.template} build host. Nightly; publish by hand."
            : 'Builds any image of the catalogue on a temporary build host (the 15 stages of the image pipeline).')
        parameters(buildParameters(image))
        logRotator { numToKeep(100) }
        if (image) {
            properties {
                pipelineTriggers {
                    triggers {
                        cron { spec('H H(0-5) * * *') }
                    }
                }
            }
        }
        definition(fromRepo('jobs/pipelines/image-build.Jenkinsfile'))
    }
}

if (images.isEmpty()) {
    // A factory without a catalogue still gets its housekeeping jobs.
    out.println("${envPath}: images is empty; no image-build or image-rollback job")
} else {
    imageBuildJob('image-build', null)
    images.each { Map image ->
        String slug = (image.name as String).replaceAll(/[^A-Za-z0-9_.-]/, '-')
        imageBuildJob("image-${slug}", image)
    }
}

pipelineJob('build-host-reaper') {
    description("Deletes build hosts whose expires-at (now + ${environment.buildHosts.ttlHours} h at spawn) has passed and that are not kept.")
    logRotator { numToKeep(48) }
    properties {
        disableConcurrentBuilds()
        pipelineTriggers {
            triggers {
                cron { spec('H * * * *') }
            }
        }
    }
    definition(fromRepo('jobs/pipelines/build-host-reaper.Jenkinsfile'))
}

if (!images.isEmpty()) pipelineJob('image-rollback') {
    description('Makes the previous image (<name>_prev) the current one (<name>_latest) again, in the given regions.')
    parameters {
        choiceParam('IMAGE', imageNames, 'Image to roll back')
        stringParam('REGIONS', ([region] + uploadRegions).join(' '), 'Regions, space-separated')
    }
    logRotator { numToKeep(50) }
    definition(fromRepo('jobs/pipelines/image-rollback.Jenkinsfile'))
}

pipelineJob('factory-config-reload') {
    description('Pulls the jobs repository on the controller and re-applies jobs/jenkins/casc.yaml (which re-runs the seed): a configuration change needs no new server.')
    logRotator { numToKeep(30) }
    properties {
        disableConcurrentBuilds()
    }
    definition(fromRepo('jobs/pipelines/factory-config-reload.Jenkinsfile'))
}
