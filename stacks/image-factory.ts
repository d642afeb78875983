// All stacks of one environment, wired together. Stack names are a promise to users:
// <env>-network, <env>-data, <env>-factory, <env>-web, <env>-build-host-<template>.
import { App } from "cdktf";
import { addressPlan } from "../config/address-plan";
import type { Environment } from "../config/schema";
import { EnvironmentStack } from "./environment-stack";
import { NetworkStack } from "./network-stack";

export function addEnvironment(app: App, env: Environment): EnvironmentStack[] {
  const plan = addressPlan(env);
  const network = new NetworkStack(app, { env, plan });
  return [network];
}
