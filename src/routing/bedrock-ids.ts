// Bedrock inference profiles prefix a model id with a geography (`us.anthropic.claude-…-v1:0`,
// aperture.md §3.1); a provider listing the bare id (or another geography's) still serves it.
export const bedrockGeographies = ['us', 'eu', 'apac', 'global', 'us-gov', 'jp', 'au', 'ca'];
const bedrockGeography = new RegExp(`^(?:${bedrockGeographies.join('|')})\\.`);

export function bedrockBaseId(model: string): string {
  return model.replace(bedrockGeography, '');
}

/** A cross-region inference profile id: a geography before a vendor's model id (`eu.anthropic.claude-…`). */
const inferenceProfile = new RegExp(`^(?:${bedrockGeographies.join('|')})\\.[a-z0-9-]+\\.[^/]+$`);
export const isInferenceProfileId = (id: string): boolean => inferenceProfile.test(id);
