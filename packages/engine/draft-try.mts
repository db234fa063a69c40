import { draftPolicy, draftListing } from '@apprights/engine';
import { renderPolicyDraft, renderListingDraft } from '@apprights/report';
const [f, lang, what, policy] = process.argv.slice(2);
if (what === 'listing') console.log(renderListingDraft(await draftListing(f!, {toolVersion:'t'}), 'md', lang as 'zh'));
else console.log(renderPolicyDraft(await draftPolicy(f!, { toolVersion: 't', ...(policy ? { policy } : {}) }), 'md', lang as 'zh'));
