import { LabIcon } from '@jupyterlab/ui-components';
import keySvg from '../style/icons/key.svg';

/** A GitHub-style key, themed through JupyterLab's icon classes. */
export const keyIcon = new LabIcon({ name: 'jupyterlab-github-token:key', svgstr: keySvg });
