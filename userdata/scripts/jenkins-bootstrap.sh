#!/usr/bin/env bash
# First boot of the Jenkins controller, after cloud-init installed Java and the tools and
# trusted-apt-repo.sh added the Jenkins and HashiCorp repositories:
#  1. installs Jenkins and Terraform without starting Jenkins (it would start unsecured),
#  2. generates, on this server, the build hosts' SSH key, a deploy key for the jobs
#     repository and the initial admin password (plaintext for root only, bcrypt for JCasC),
#  3. checks out the jobs repository, installs its pinned plugins with jenkins-plugin-cli,
#  4. starts Jenkins, which configures itself from the repository (JCasC, Job DSL seed).
# Safe to run again: nothing that exists is regenerated.
# usage: jenkins-bootstrap.sh <jobs repo url> <branch> <plugin-cli jar url> <jar sha256 or ""> <jenkins version or "">
set -euo pipefail

if [ "$#" -ne 5 ]; then
  echo "usage: jenkins-bootstrap.sh <jobs repo url> <branch> <plugin-cli url> <sha256 or \"\"> <jenkins version or \"\">" >&2
  exit 2
fi
repo_url=$1 branch=$2 cli_url=$3 cli_sha256=$4 jenkins_version=$5
# A pinned version makes a recreated controller the same Jenkins as before.
jenkins_package=jenkins${jenkins_version:+=$jenkins_version}

home=/var/lib/jenkins
repo=$home/factory-repo
ssh_dir=$home/.ssh
build_host_key=$ssh_dir/build-host
deploy_key=$ssh_dir/id_ed25519
hash_file=$home/secrets/factory-admin.bcrypt
password_file=/root/jenkins-admin-password
cli_jar=/usr/local/lib/factory/jenkins-plugin-manager.jar

export DEBIAN_FRONTEND=noninteractive
# HOME too: git and jenkins-plugin-cli keep their config and caches there
as_jenkins() { runuser -u jenkins -- env HOME="$home" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

# 1. packages; policy-rc.d keeps the package scripts from starting Jenkins
if installed jenkins && installed terraform; then
  echo "jenkins-bootstrap: jenkins and terraform already installed"
else
  apt-get -o DPkg::Lock::Timeout=600 -q update
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    trap 'rm -rf "$work"; rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get -o DPkg::Lock::Timeout=600 -q -y install "$jenkins_package" terraform
  rm -f /usr/sbin/policy-rc.d
fi
systemctl stop jenkins.service 2>/dev/null || true

# a fresh home volume's root belongs to root
chown jenkins:jenkins "$home"

# 2. keys and the admin password, generated here, never in user-data
install -d -o jenkins -g jenkins -m 0700 "$ssh_dir" "$home/secrets"
for key in "$build_host_key" "$deploy_key"; do
  if [ ! -f "$key" ]; then
    as_jenkins ssh-keygen -q -t ed25519 -N '' -C "jenkins@$(hostname -s):$(basename "$key")" -f "$key"
  fi
done

"$(dirname "$0")/jenkins-admin-password.sh" "$password_file" "$hash_file" jenkins:jenkins

# 3. the jobs repository and its plugins
git_ssh="ssh -i $deploy_key -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new"
if [ -d "$repo/.git" ]; then
  as_jenkins git -C "$repo" remote set-url origin "$repo_url"
  as_jenkins GIT_SSH_COMMAND="$git_ssh" git -C "$repo" fetch --prune origin "$branch"
  as_jenkins git -C "$repo" checkout --force -B "$branch" FETCH_HEAD
elif ! as_jenkins GIT_SSH_COMMAND="$git_ssh" git clone --branch "$branch" --single-branch "$repo_url" "$repo"; then
  echo "jenkins-bootstrap: cannot clone $repo_url ($branch)." >&2
  echo "If it is private, add this deploy key (read-only) and run $0 again:" >&2
  cat "$deploy_key.pub" >&2
  exit 1
fi
for file in jobs/jenkins/casc.yaml jobs/jenkins/security-local.yaml jobs/jenkins/security-ldap.yaml jobs/jenkins/plugins.txt; do
  [ -f "$repo/$file" ] || { echo "jenkins-bootstrap: $repo_url has no $file" >&2; exit 1; }
done

if [ ! -f "$cli_jar" ]; then
  curl -fsSL --retry 5 --retry-connrefused -o "$work/cli.jar" "$cli_url"
  if [ -z "$cli_sha256" ]; then
    cli_sha256=$(curl -fsSL --retry 5 "$cli_url.sha256" | awk '{ print $1 }')
  fi
  echo "$cli_sha256  $work/cli.jar" | sha256sum --check --strict --quiet -
  install -m 0644 "$work/cli.jar" "$cli_jar"
fi
install -d -o jenkins -g jenkins -m 0755 "$home/plugins"
# plugins.txt pins every plugin, dependencies included (one bom line): --latest false keeps
# the plugin manager from replacing dependencies by the update site's newest (its default).
as_jenkins java -jar "$cli_jar" --war /usr/share/java/jenkins.war --latest false \
  --plugin-download-directory "$home/plugins" --plugin-file "$repo/jobs/jenkins/plugins.txt"

# 4. hand over to JCasC and the Job DSL seed
systemctl daemon-reload
systemctl enable jenkins.service
systemctl restart jenkins.service
echo "jenkins-bootstrap: Jenkins is up. Build-host public key:"
cat "$build_host_key.pub"
