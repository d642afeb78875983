// All stacks of one environment, wired together. Stack names are a promise to users:
// <env>-network, <env>-data, <env>-factory, <env>-web, <env>-build-host-<template>.
import { App } from "cdktf";
import { FactoryModel, resolveFactory } from "../config/factory-model";
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
  const model = resolveFactory(env);
  const network = new NetworkStack(app, { model });
  const data = new DataStack(app, { model, network });
  const factory = new FactoryStack(app, { model, network, data });
  const stacks: EnvironmentStack[] = [network, data, factory];
  if (model.roles.web.hosts.length > 0) stacks.push(new WebStack(app, { model, network, data, factory }));
  stacks.push(...addBuildHostStacks(app, env, model));
  return stacks;
};

/** Only the build-host template stacks: they read no other stack, so they synthesize alone. */
export function addBuildHostStacks(app: App, env: Environment, model: FactoryModel = resolveFactory(env)): BuildHostStack[] {
  return env.buildHosts.templates.map((template) => new BuildHostStack(app, { model, template }));
}
