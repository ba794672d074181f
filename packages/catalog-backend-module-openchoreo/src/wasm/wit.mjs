// The version of the component interface (wit/world.wit) this package's hosts speak; jco names imports
// and exports with it.
export const WIT_VERSION = '0.8.0';

/** `openchoreo:catalog/<name>@<version>`, as jco names an interface of our package. */
export const witInterface = (name) => `openchoreo:catalog/${name}@${WIT_VERSION}`;
