// What every stack of an environment shares: its state backend and its one OpenStack
// provider, the default (unaliased) one: the factory tenant's, or the tenant the stack
// lives in (the web stack's is the web tenant's). Credentials never appear here: the
// provider reads clouds.yaml (`cloud`), or OS_* variables, at deploy time.
import { Construct } from "constructs";
import { HttpBackend, LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { OpenstackProvider } from "../.gen/providers/openstack/provider";
import type { FactoryModel } from "../config/factory-model";
import type { Environment } from "../config/schema";

/**
 * The Terraform every stack needs: the s3 backend's settings (endpoints, use_path_style,
 * skip_s3_checksum) exist from 1.6.3 on. Declared, so an older Terraform refuses at init
 * with its own clear message instead of failing on an unknown backend argument.
 */
export const TERRAFORM_VERSION_CONSTRAINT = ">= 1.6.3";

export interface EnvironmentStackProps {
  readonly model: FactoryModel;
}

export interface EnvironmentStackOptions {
  /**
   * Keep the state in Terraform's working directory (`terraform.tfstate`) instead of the
   * environment's backend: for build-host templates, applied once per build from a copy.
   * @default false
   */
  readonly stateInWorkingDirectory?: boolean;
  /**
   * The clouds.yaml entry of the tenant the stack's resources live in.
   * @default the factory tenant's (`cloud`)
   */
  readonly cloud?: string;
}

export abstract class EnvironmentStack extends TerraformStack {
  readonly model: FactoryModel;
  readonly env: Environment;
  protected constructor(scope: Construct, stackName: string, props: EnvironmentStackProps, options: EnvironmentStackOptions = {}) {
    super(scope, stackName);
    this.model = props.model;
    this.env = props.model.env;
    if (options.stateInWorkingDirectory) new LocalBackend(this, { path: "terraform.tfstate" });
    else configureBackend(this, stackName, this.env.backend);
    new OpenstackProvider(this, "openstack", { cloud: options.cloud ?? this.env.cloud, region: this.env.region });
    this.addOverride("terraform.required_version", TERRAFORM_VERSION_CONSTRAINT);
  }
}

/**
 * Sets the stack's state backend. The local backend's path is relative, so synth output
 * is machine-independent: Terraform runs in `<out>/stacks/<stack>/`, three levels below
 * the directory holding `<out>`, and every stack is at the same depth, so the same
 * relative path also works in cross-stack `terraform_remote_state` lookups.
 */
function configureBackend(stack: TerraformStack, stackName: string, backend: Environment["backend"]): void {
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: joinRelative("../../..", backend.dir, `terraform.${stackName}.tfstate`) });
      return;
    case "s3":
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${stackName}.tfstate`,
        region: backend.region,
        endpoints: backend.endpoint ? { s3: backend.endpoint } : undefined,
        usePathStyle: backend.usePathStyle,
        // S3-compatible stores (Swift, Ceph RGW) have no AWS account or region APIs.
        skipCredentialsValidation: backend.endpoint ? true : undefined,
        skipRegionValidation: backend.endpoint ? true : undefined,
        skipRequestingAccountId: backend.endpoint ? true : undefined,
        skipMetadataApiCheck: backend.endpoint ? true : undefined,
        skipS3Checksum: backend.endpoint ? true : undefined,
      });
      return;
    case "http": {
      const address = `${backend.address.replace(/\/+$/, "")}/${stackName}`;
      new HttpBackend(stack, {
        address,
        lockAddress: address,
        unlockAddress: address,
        lockMethod: backend.lockMethod,
        unlockMethod: backend.unlockMethod,
      });
      return;
    }
  }
}

function joinRelative(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split("/"))
    .filter((p) => p !== "" && p !== ".")
    .join("/");
}
