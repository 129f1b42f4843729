// The data layer reaches every component through context, so pages never import src/db or
// src/sync directly and a test can hand in any PigeonServices.
import { createComponent, createContext, type JSX, useContext } from 'solid-js';
import type { PigeonServices } from '../app/services.ts';

const ServicesContext = createContext<PigeonServices>();

export function ServicesProvider(props: { services: PigeonServices; children: JSX.Element }): JSX.Element {
  // No JSX in a .ts file: createComponent is what <ServicesContext.Provider> compiles to.
  return createComponent(ServicesContext.Provider, {
    get value() {
      return props.services;
    },
    get children() {
      return props.children;
    },
  });
}

export function useServices(): PigeonServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices: no <ServicesProvider> above this component');
  return services;
}
