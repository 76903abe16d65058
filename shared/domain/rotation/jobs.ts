/** The outbox event that carries a rotation job to the rotation queue (`detail`: account and rotation ids). */
export const ROTATION_JOB_EVENT = 'rotation.job';
