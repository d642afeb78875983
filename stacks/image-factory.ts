// All stacks of one environment, wired together. Stack names are a promise to users:
// <env>-network, <env>-data, <env>-factory, <env>-web, <env>-build-host-<template>.
import { App } from "cdktf";
import { AddressPlan, addressPlan } from "../config/address-plan";
import type { Environment } from "../config/schema";
import { EnvironmentStack } from "./environment-stack";
import { BuildHostStack } from "./build-host-stack";
import { DataStack } from "./data-stack";
import { FactoryStack } from "./factory-stack";
import { NetworkStack } from "./network-stack";
import { WebStack } from "./web-stack";

/** A function that adds stacks of an environment to an app (all of them, or a part). */
export type StackBuilder = (app: App, env: Environment) => EnvironmentStack[];

export const addEnvironment: StackBuilder = (app, env) => {
  const plan = addressPlan(env);
  const network = new NetworkStack(app, { env, plan });
  const data = new DataStack(app, { env, plan, network });
  const factory = new FactoryStack(app, { env, plan, network, data });
  const stacks: EnvironmentStack[] = [network, data, factory];
  if (env.web && env.web.count > 0) stacks.push(new WebStack(app, { env, plan, network, data, factory }));
  stacks.push(...addBuildHostStacks(app, env, plan));
  return stacks;
};

/** Only the build-host template stacks: they read no other stack, so they synthesize alone. */
export function addBuildHostStacks(app: App, env: Environment, plan: AddressPlan = addressPlan(env)): BuildHostStack[] {
  return env.buildHosts.templates.map((template) => new BuildHostStack(app, { env, plan, template }));
}
