// All stacks of one environment, wired together. Stack names are a promise to users:
// <env>-network, <env>-data, <env>-factory, <env>-web, <env>-build-host-<template>.
import { App } from "cdktf";
import { addressPlan } from "../config/address-plan";
import type { Environment } from "../config/schema";
import { EnvironmentStack } from "./environment-stack";
import { BuildHostStack } from "./build-host-stack";
import { DataStack } from "./data-stack";
import { FactoryStack } from "./factory-stack";
import { NetworkStack } from "./network-stack";
import { WebStack } from "./web-stack";

export function addEnvironment(app: App, env: Environment): EnvironmentStack[] {
  const plan = addressPlan(env);
  const network = new NetworkStack(app, { env, plan });
  const data = new DataStack(app, { env, plan, network });
  const factory = new FactoryStack(app, { env, plan, network, data });
  const stacks: EnvironmentStack[] = [network, data, factory];
  if (env.web && env.web.count > 0) stacks.push(new WebStack(app, { env, plan, network, data }));
  for (const template of env.buildHosts.templates) stacks.push(new BuildHostStack(app, { env, plan, template }));
  return stacks;
}
