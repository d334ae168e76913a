"""Render fidelity: the official package served for reference renderings, the figures it
holds, and the observation of a difusor's pages that the render.* checks evaluate."""
