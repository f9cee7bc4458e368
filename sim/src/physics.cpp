// SPDX-License-Identifier: MIT
#include <hbsim/sim_chain.hpp>

#include <algorithm>

namespace hbsim {

double FrequencyLimitPhysics::wrong_nonce_probability(const ChipConditions &c) const
{
	if (limit_ <= 0 || c.freq_mhz <= limit_)
		return 0.0;
	return std::min(1.0, slope_ * (c.freq_mhz - limit_) / limit_);
}

} // namespace hbsim
